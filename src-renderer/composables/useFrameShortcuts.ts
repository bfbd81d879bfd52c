import { onBeforeUnmount, onMounted } from 'vue';

export interface FrameShortcutActions {
  step(delta: number): void;
  seekFirst(): void;
  seekLast(): void;
  /** Shift+← / Shift+→. */
  seekKeyframe?(direction: 1 | -1): void;
  /** N: the least confident frame not yet reviewed. */
  seekLeastConfident?(): void;
  /** R: the current frame's reviewed flag. */
  toggleReviewed?(): void;
  /** G: the timeline's frame field, to type a frame to go to. */
  focusFrameField?(): void;
}

const textInputTypes = new Set(['text', 'search', 'email', 'number', 'password', 'url', 'tel']);
/** Keys a focused slider or tick box uses itself. */
const controlKeys = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown', ' ']);

/**
 * True when a key press belongs to a text field or an open dialog rather than to the editor; a focused slider or
 * tick box keeps only the keys it uses (arrows, Home/End, Space), so letters and [ ] still reach the shortcuts.
 */
export function keyBelongsElsewhere(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  if (target.closest?.('dialog[open]')) return true;
  if (target.tagName === 'INPUT') return textInputTypes.has((target as HTMLInputElement).type) || controlKeys.has(event.key);
  return target.isContentEditable || ['TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Gives the keyboard back to the editor once a slider or tick box has been used with the pointer. */
export function releaseFocus(event: Event): void {
  (event.target as HTMLElement | null)?.blur?.();
}

/**
 * ←/→ one frame, Shift+←/→ previous/next keyframe, PageUp/PageDown ten frames, Home/End first/last frame, N the
 * least confident unreviewed frame, R reviewed, G the go-to-frame field — anywhere on the project screen (the help
 * overlay lists them: utils/keyboardShortcuts.ts).
 */
export function useFrameShortcuts(actions: FrameShortcutActions, isEnabled: () => boolean): void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (!isEnabled() || event.altKey || event.ctrlKey || event.metaKey || keyBelongsElsewhere(event)) return;
    const arrow = (direction: 1 | -1) => (event.shiftKey && actions.seekKeyframe ? actions.seekKeyframe(direction) : actions.step(direction));
    const handlers: Record<string, (() => void) | undefined> = {
      ArrowLeft: () => arrow(-1),
      ArrowRight: () => arrow(1),
      PageUp: () => actions.step(-10),
      PageDown: () => actions.step(10),
      Home: () => actions.seekFirst(),
      End: () => actions.seekLast(),
      n: actions.seekLeastConfident,
      N: actions.seekLeastConfident,
      r: actions.toggleReviewed,
      R: actions.toggleReviewed,
      g: actions.focusFrameField,
      G: actions.focusFrameField,
    };
    const handler = handlers[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  };
  onMounted(() => window.addEventListener('keydown', onKeyDown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeyDown));
}
