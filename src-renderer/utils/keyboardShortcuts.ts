/**
 * The shortcuts the help overlay lists ("?" or F1), grouped as an annotator meets them. They are the keys the
 * composables handle (useFrameShortcuts, useEditorShortcuts, useSpaceKey, useHelpKey, ClipList's rows, FrameView's
 * pointer): a key added there belongs here too.
 */
export interface KeyboardShortcut {
  /** Key names as printed on the keys, e.g. ['Shift', '→']; alternatives are separate entries of `alternatives`. */
  keys: string[];
  alternatives?: string[][];
  description: string;
}

export interface ShortcutGroup {
  title: string;
  shortcuts: KeyboardShortcut[];
}

export const keyboardShortcutGroups: readonly ShortcutGroup[] = [
  {
    title: 'Moving through the clip',
    shortcuts: [
      { keys: ['←'], alternatives: [['→']], description: 'Previous / next frame' },
      { keys: ['Shift', '←'], alternatives: [['Shift', '→']], description: 'Previous / next keyframe' },
      { keys: ['PageUp'], alternatives: [['PageDown']], description: 'Ten frames back / on' },
      { keys: ['Home'], alternatives: [['End']], description: 'First / last frame' },
      { keys: ['G'], description: 'Go to a frame: type its number, then Enter' },
      { keys: ['Space'], description: 'Play / pause' },
      { keys: ['N'], description: 'Least confident frame not yet reviewed' },
      { keys: ['R'], description: 'Mark the frame reviewed (or not)' },
    ],
  },
  {
    title: 'Drawing',
    shortcuts: [
      { keys: ['B'], description: 'Brush' },
      { keys: ['E'], description: 'Eraser' },
      { keys: ['P'], description: 'Polygon' },
      { keys: ['['], alternatives: [[']']], description: 'Smaller / larger brush' },
      { keys: ['Enter'], description: 'Close the polygon and fill it' },
      { keys: ['Alt', 'Enter'], description: 'Close the polygon and erase it' },
      { keys: ['Backspace'], description: 'Remove the polygon’s last point' },
      { keys: ['Esc'], description: 'Drop the polygon' },
      { keys: ['F'], description: 'Fill holes in the mask' },
      { keys: ['V'], description: 'Cycle the selected joint’s visibility' },
    ],
  },
  {
    title: 'View and history',
    shortcuts: [
      { keys: ['Wheel'], description: 'Zoom about the pointer' },
      { keys: ['+'], alternatives: [['-']], description: 'Zoom in / out' },
      { keys: ['0'], description: 'Fit the frame to the view' },
      { keys: ['Space', 'drag'], alternatives: [['Middle button', 'drag']], description: 'Pan' },
      { keys: ['Ctrl', 'Z'], description: 'Undo' },
      { keys: ['Ctrl', 'Shift', 'Z'], alternatives: [['Ctrl', 'Y']], description: 'Redo' },
    ],
  },
  {
    title: 'Clips',
    shortcuts: [
      { keys: ['F2'], description: 'Rename the focused clip' },
      { keys: ['Delete'], description: 'Delete the focused clip (asks first)' },
      { keys: ['?'], alternatives: [['F1']], description: 'This list' },
    ],
  },
];
