import { onBeforeUnmount, onMounted } from 'vue';
import { useEditorStore } from '../stores/editor.ts';
import { keyBelongsElsewhere } from './useFrameShortcuts.ts';

/**
 * Space does two things, told apart by what happens while it is down: held while dragging on the frame it pans
 * (the frame view marks the press as used), tapped alone it calls `onTap` (play/pause). The key's default action
 * (pressing a focused button, scrolling) is suppressed.
 */
export function useSpaceKey(onTap: () => void, isEnabled: () => boolean): void {
  const editor = useEditorStore();
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== ' ' || !isEnabled() || keyBelongsElsewhere(event)) return;
    event.preventDefault();
    if (event.repeat || editor.spaceHeld) return;
    editor.spaceHeld = true;
    editor.spaceUsed = false;
  };
  const onKeyUp = (event: KeyboardEvent) => {
    if (event.key !== ' ' || !editor.spaceHeld) return;
    event.preventDefault();
    editor.spaceHeld = false;
    if (!editor.spaceUsed) onTap();
  };
  const onBlur = () => {
    editor.spaceHeld = false;
  };
  onMounted(() => {
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('blur', onBlur);
  });
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKeyDown);
    window.removeEventListener('keyup', onKeyUp);
    window.removeEventListener('blur', onBlur);
  });
}
