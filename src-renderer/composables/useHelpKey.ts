import { onBeforeUnmount, onMounted } from 'vue';
import { keyBelongsElsewhere } from './useFrameShortcuts.ts';

/** "?" or F1 (outside text fields and dialogs) calls `onHelp`: the shortcut overlay. F1's browser help is suppressed. */
export function useHelpKey(onHelp: () => void, isEnabled: () => boolean): void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (!isEnabled() || event.ctrlKey || event.metaKey || event.altKey || keyBelongsElsewhere(event)) return;
    if (event.key !== '?' && event.key !== 'F1') return;
    event.preventDefault();
    onHelp();
  };
  onMounted(() => window.addEventListener('keydown', onKeyDown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeyDown));
}
