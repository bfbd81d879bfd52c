import { onBeforeUnmount, onMounted } from 'vue';
import { keyBelongsElsewhere } from './useFrameShortcuts.ts';

export interface EditorShortcutActions {
  selectTool(tool: 'brush' | 'eraser' | 'polygon' | 'click'): void;
  stepBrushSize(direction: 1 | -1): void;
  fillHoles(): void;
  cycleVisibility(): void;
  /** Enter: returns whether there was a polygon to close. */
  closePolygon(erase: boolean): boolean;
  /** Escape: returns whether something was cancelled. */
  cancelPolygon(): boolean;
  removeLastPolygonPoint(): boolean;
  fit(): void;
  zoomBy(factor: number): void;
  undo(): void;
  redo(): void;
}

/**
 * Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z or Ctrl+Y redo (a text field keeps these for its own text). Returns whether the
 * key was one of them.
 */
export function handleHistoryKey(event: KeyboardEvent, actions: Pick<EditorShortcutActions, 'undo' | 'redo'>): boolean {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return false;
  const key = event.key.toLowerCase();
  if (key === 'z') (event.shiftKey ? actions.redo : actions.undo)();
  else if (key === 'y' && !event.shiftKey) actions.redo();
  else return false;
  return true;
}

/**
 * The editor's keys: B/E/P/C tools, [ ] brush size, F fill holes, V joint visibility, Enter/Esc/Backspace polygon,
 * 0/+/- zoom, and undo/redo (see handleHistoryKey).
 */
export function useEditorShortcuts(actions: EditorShortcutActions, isEnabled: () => boolean): void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (!isEnabled() || keyBelongsElsewhere(event)) return;
    if (handleHistoryKey(event, actions)) {
      event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    const handlers: Record<string, () => boolean | void> = {
      b: () => actions.selectTool('brush'),
      e: () => actions.selectTool('eraser'),
      p: () => actions.selectTool('polygon'),
      c: () => actions.selectTool('click'),
      '[': () => actions.stepBrushSize(-1),
      ']': () => actions.stepBrushSize(1),
      f: () => actions.fillHoles(),
      v: () => actions.cycleVisibility(),
      Enter: () => actions.closePolygon(event.altKey),
      Escape: () => actions.cancelPolygon(),
      Backspace: () => actions.removeLastPolygonPoint(),
      '0': () => actions.fit(),
      '+': () => actions.zoomBy(1.25),
      '=': () => actions.zoomBy(1.25),
      '-': () => actions.zoomBy(0.8),
    };
    const handler = handlers[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!handler) return;
    if (handler() === false) return;
    event.preventDefault();
  };
  onMounted(() => window.addEventListener('keydown', onKeyDown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeyDown));
}
