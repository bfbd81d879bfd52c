import { onBeforeUnmount, watch } from 'vue';
import { useAnnotationsStore } from '../stores/annotations.ts';
import { useModelsStore } from '../stores/models.ts';
import { useObjectsStore } from '../stores/objects.ts';
import { usePlayerStore } from '../stores/player.ts';
import { usePropagationStore } from '../stores/propagation.ts';

/** How long the playhead must rest (and edits settle) before the next run is prepared. */
export const PREPARE_DELAY_MS = 250;

/**
 * Keeps the runs the Propagate buttons would start ready while the annotator works: whenever the playhead rests,
 * a keyframe, the ticked objects or the fusion change, and nothing plays or propagates, the engine selects their
 * first frames in the background (propagation store `prepare`).
 */
export function usePropagationPreparation(): void {
  const player = usePlayerStore();
  const annotations = useAnnotationsStore();
  const objects = useObjectsStore();
  const models = useModelsStore();
  const propagation = usePropagationStore();
  let timer: ReturnType<typeof setTimeout> | undefined;

  watch(
    () => [
      player.clip?.id,
      player.frameIndex,
      player.playing,
      Boolean(propagation.running),
      annotations.timeline?.keyframes.join(','),
      objects.propagationTargets.map((object) => object.id).join(','),
      models.streamSpec,
    ],
    () => {
      clearTimeout(timer);
      if (!player.clip || player.playing || propagation.running) return;
      timer = setTimeout(() => void propagation.prepare(player.frameIndex), PREPARE_DELAY_MS);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => clearTimeout(timer));
}
