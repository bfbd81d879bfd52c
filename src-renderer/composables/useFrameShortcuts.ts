import { onBeforeUnmount, onMounted } from 'vue';

export interface FrameShortcutActions {
  step(delta: number): void;
  seekFirst(): void;
  seekLast(): void;
}

/** True when a key press belongs to a text field or an open dialog rather than to the timeline. */
function keyBelongsElsewhere(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  if (target.closest('dialog[open]')) return true;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** ←/→ one frame (Shift: ten), Home/End first/last frame, anywhere on the project screen. */
export function useFrameShortcuts(actions: FrameShortcutActions, isEnabled: () => boolean): void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (!isEnabled() || event.altKey || event.ctrlKey || event.metaKey || keyBelongsElsewhere(event)) return;
    const stride = event.shiftKey ? 10 : 1;
    const handlers: Record<string, () => void> = {
      ArrowLeft: () => actions.step(-stride),
      ArrowRight: () => actions.step(stride),
      Home: () => actions.seekFirst(),
      End: () => actions.seekLast(),
    };
    const handler = handlers[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  };
  onMounted(() => window.addEventListener('keydown', onKeyDown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeyDown));
}
