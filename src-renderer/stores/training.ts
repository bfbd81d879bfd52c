import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ProjectDetails, TrainingStatus } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';

export type TrainingAction = 'start' | 'pause' | 'resume' | 'cancel';

/** A run in these states changes on its own: the screen asks for its status every `STATUS_POLL_MS`. */
const ACTIVE_STATES: ReadonlyArray<TrainingStatus['state']> = ['starting', 'running', 'paused'];
export const STATUS_POLL_MS = 1000;
/** While a cancel is under way (or Python is still being looked for) the answer is near: ask more often. */
export const FAST_POLL_MS = 250;
/** The export is registered just after the run reports it finished: keep asking a little for the model's name. */
const POLLS_AFTER_FINISH = 15;
export const DEFAULT_TRAINING_STEPS = 1000;

/**
 * Fine-tuning of the fine-grained features on one project's footage: its clips to choose from, the run's status
 * (polled while the training screen is open and a run is active), and start / pause / resume / cancel.
 */
export const useTrainingStore = defineStore('training', () => {
  const api = useApi();
  const projectId = ref<string>();
  const project = ref<ProjectDetails>();
  const status = ref<TrainingStatus>();
  const loadError = ref<string>();
  /** Set when a status poll failed; the last known status stays on screen. */
  const pollError = ref<string>();
  const actionError = ref<string>();
  const pendingAction = ref<TrainingAction>();
  const selectedClipIds = ref<string[]>([]);
  const steps = ref(DEFAULT_TRAINING_STEPS);
  let session = 0;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let pollsAfterFinish = 0;
  /** Bumped per status request and action: an answer overtaken by a newer one is dropped. */
  let statusRequest = 0;

  const isActive = computed(() => Boolean(status.value && ACTIVE_STATES.includes(status.value.state)));
  const isUnavailable = computed(() => status.value?.state === 'unavailable');
  const fraction = computed(() => {
    const current = status.value;
    return current && current.totalSteps > 0 ? Math.min(1, current.step / current.totalSteps) : 0;
  });
  /** Seconds the chosen steps would take on this computer (an estimate; see TrainingStatus.estimate). */
  const estimatedSeconds = computed(() => {
    const perStep = status.value?.estimate?.secondsPerStep;
    return perStep !== undefined && isValidSteps(steps.value) ? perStep * steps.value : undefined;
  });
  const canStart = computed(
    () => !isActive.value && !isUnavailable.value && !pendingAction.value && selectedClipIds.value.length > 0 && isValidSteps(steps.value),
  );

  function isValidSteps(value: number): boolean {
    return Number.isInteger(value) && value >= 1 && value <= 1_000_000;
  }

  function stopPolling(): void {
    clearTimeout(pollTimer);
    pollTimer = undefined;
  }

  /** A finished run still has news to report: its model being registered, or its held-out J&F being computed. */
  function awaitingModel(current: TrainingStatus): boolean {
    if (current.evaluation?.state === 'running') return true;
    return current.state === 'finished' && !current.model && !current.problem && pollsAfterFinish < POLLS_AFTER_FINISH;
  }

  /** Takes a status in and decides whether to ask again in a second. */
  function accept(next: TrainingStatus): void {
    status.value = next;
    pollError.value = undefined;
    if (ACTIVE_STATES.includes(next.state)) pollsAfterFinish = 0;
    else if (next.state === 'finished') pollsAfterFinish += 1;
    schedulePoll();
  }

  function schedulePoll(): void {
    stopPolling();
    const current = status.value;
    if (!projectId.value || !current || !(ACTIVE_STATES.includes(current.state) || awaitingModel(current) || current.checking)) return;
    const ownSession = session;
    pollTimer = setTimeout(
      () => {
        if (ownSession === session) void refresh();
      },
      current.cancelling || current.checking ? FAST_POLL_MS : STATUS_POLL_MS,
    );
  }

  async function refresh(): Promise<void> {
    const id = projectId.value;
    if (!id) return;
    const ownSession = session;
    const request = ++statusRequest;
    try {
      const next = await api.training.status({ projectId: id });
      if (ownSession === session && request === statusRequest) accept(next);
    } catch (error) {
      if (ownSession !== session || request !== statusRequest) return;
      pollError.value = errorMessage(error);
      schedulePoll(); // keep trying while the run is (as far as we know) active
    }
  }

  /** Opens a project's training: its clips (all ticked) and the status of its run. */
  async function open(id: string): Promise<void> {
    close();
    const ownSession = session;
    projectId.value = id;
    try {
      const [details, current] = await Promise.all([api.projects.get({ projectId: id }), api.training.status({ projectId: id })]);
      if (ownSession !== session) return;
      project.value = details;
      // An interrupted run resumes with its own clips and steps; otherwise every clip is ticked.
      const resumable = current.state === 'interrupted' ? current.clipIds?.filter((clipId) => details.clips.some((clip) => clip.id === clipId)) : undefined;
      selectedClipIds.value = resumable?.length ? resumable : details.clips.map((clip) => clip.id);
      if (resumable?.length && isValidSteps(current.totalSteps)) steps.value = current.totalSteps;
      accept(current);
    } catch (error) {
      if (ownSession === session) loadError.value = errorMessage(error);
    }
  }

  /** The screen closed: stop polling (the run goes on in the engine). */
  function close(): void {
    session += 1;
    stopPolling();
    projectId.value = undefined;
    project.value = undefined;
    status.value = undefined;
    loadError.value = undefined;
    pollError.value = undefined;
    actionError.value = undefined;
    pendingAction.value = undefined;
    selectedClipIds.value = [];
    steps.value = DEFAULT_TRAINING_STEPS;
    pollsAfterFinish = 0;
  }

  function setClipSelected(clipId: string, selected: boolean): void {
    const others = selectedClipIds.value.filter((id) => id !== clipId);
    selectedClipIds.value = selected ? [...others, clipId] : others;
  }

  function setAllClipsSelected(selected: boolean): void {
    selectedClipIds.value = selected ? (project.value?.clips ?? []).map((clip) => clip.id) : [];
  }

  function setSteps(value: number): void {
    steps.value = value;
  }

  async function act(action: TrainingAction, call: (id: string) => Promise<TrainingStatus>): Promise<void> {
    const id = projectId.value;
    if (!id || pendingAction.value) return;
    const ownSession = session;
    pendingAction.value = action;
    actionError.value = undefined;
    const request = ++statusRequest;
    try {
      const next = await call(id);
      if (ownSession === session && request === statusRequest) accept(next);
    } catch (error) {
      if (ownSession === session) {
        actionError.value = errorMessage(error);
        void refresh();
      }
    } finally {
      if (ownSession === session) pendingAction.value = undefined;
    }
  }

  function start(): Promise<void> {
    if (!canStart.value) return Promise.resolve();
    // Keep the clips in the project's order, whatever order they were ticked in.
    const chosen = new Set(selectedClipIds.value);
    const clipIds = (project.value?.clips ?? []).filter((clip) => chosen.has(clip.id)).map((clip) => clip.id);
    return act('start', (id) => api.training.start({ projectId: id, clipIds, steps: steps.value }));
  }

  const pause = () => act('pause', (id) => api.training.pause({ projectId: id }));
  const resume = () => act('resume', (id) => api.training.resume({ projectId: id }));
  const cancel = () => act('cancel', (id) => api.training.cancel({ projectId: id }));

  return {
    projectId,
    project,
    status,
    loadError,
    pollError,
    actionError,
    pendingAction,
    selectedClipIds,
    steps,
    isActive,
    isUnavailable,
    fraction,
    estimatedSeconds,
    canStart,
    open,
    close,
    refresh,
    setClipSelected,
    setAllClipsSelected,
    setSteps,
    start,
    pause,
    resume,
    cancel,
  };
});
