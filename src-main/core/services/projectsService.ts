import type { ProjectDetails, ProjectsService, ProjectSummary } from '../api/contract.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ClipRecord, ProjectSummary as StoredProjectSummary } from '../store/types.ts';
import { toClipSummary } from './clipSummary.ts';

export function toProjectSummary(stored: StoredProjectSummary): ProjectSummary {
  return {
    id: stored.id,
    name: stored.name,
    updatedAt: stored.updatedAt,
    clipCount: stored.clipCount,
    ...(stored.error ? { problem: stored.error.message } : {}),
  };
}

export class LibraryProjectsService implements ProjectsService {
  constructor(
    private readonly library: ProjectLibrary,
    /** Called before a project is deleted so open frame decoders etc. are released. */
    private readonly onProjectClosing: (projectId: string) => void = () => {},
  ) {}

  async list(): Promise<ProjectSummary[]> {
    return this.library.list().map(toProjectSummary);
  }

  async create(args: { name: string }): Promise<ProjectSummary> {
    const store = this.library.create(args.name.trim());
    const project = store.getProject();
    return { id: project.id, name: project.name, updatedAt: project.updatedAt, clipCount: 0 };
  }

  async get(args: { projectId: string }): Promise<ProjectDetails> {
    const store = this.library.open(args.projectId);
    const project = store.getProject();
    const clips: ClipRecord[] = store.listClips();
    return { ...project, clips: clips.map(toClipSummary) };
  }

  async rename(args: { projectId: string; name: string }): Promise<ProjectSummary> {
    this.library.rename(args.projectId, args.name.trim());
    const store = this.library.open(args.projectId);
    const project = store.getProject();
    return { id: project.id, name: project.name, updatedAt: project.updatedAt, clipCount: store.listClips().length };
  }

  async delete(args: { projectId: string }): Promise<void> {
    this.onProjectClosing(args.projectId);
    this.library.delete(args.projectId);
  }
}
