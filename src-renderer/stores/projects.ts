import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProjectSummary } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';

/** The project library: the list screen's data and its create / rename / delete actions. */
export const useProjectsStore = defineStore('projects', () => {
  const api = useApi();
  const projects = ref<ProjectSummary[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const loadError = ref<string>();

  function sortByRecent(list: ProjectSummary[]): ProjectSummary[] {
    return [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      projects.value = sortByRecent(await api.projects.list());
      loadError.value = undefined;
      loaded.value = true;
    } catch (error) {
      loadError.value = errorMessage(error);
    } finally {
      loading.value = false;
    }
  }

  /** Creates a project; rejects with the engine's error for the dialog to show. */
  async function create(name: string): Promise<ProjectSummary> {
    const project = await api.projects.create({ name: name.trim() });
    projects.value = sortByRecent([project, ...projects.value.filter((p) => p.id !== project.id)]);
    return project;
  }

  async function rename(projectId: string, name: string): Promise<void> {
    const renamed = await api.projects.rename({ projectId, name: name.trim() });
    projects.value = sortByRecent(projects.value.map((p) => (p.id === projectId ? renamed : p)));
  }

  async function remove(projectId: string): Promise<void> {
    await api.projects.delete({ projectId });
    projects.value = projects.value.filter((p) => p.id !== projectId);
  }

  return { projects, loading, loaded, loadError, refresh, create, rename, remove };
});
