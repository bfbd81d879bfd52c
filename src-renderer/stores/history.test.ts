import { describe, expect, it, vi } from 'vitest';
import type { ClipTimeline, FrameAnnotations, HistoryChange, HistoryStatus, ObjectSummary } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { handleHistoryKey } from '../composables/useEditorShortcuts.ts';
import { useAnnotationsStore } from './annotations.ts';
import { useHistoryStore } from './history.ts';
import { useObjectsStore } from './objects.ts';
import { deferred, flushPromises, installStoresWith } from './storeTestHarness.ts';
import { editSessionId } from '../utils/editSession.ts';

const timeline = (keyframes: number[]): ClipTimeline => ({ frameCount: 30, keyframes, propagated: [], confidence: Array(30).fill(null), reviewed: Array(30).fill(false) });
const emptyFrame = (frameIndex: number): FrameAnnotations => ({ frameIndex, width: 1, height: 1, annotations: [] });
const undoable: HistoryStatus = { canUndo: true, canRedo: false, undoLabel: 'brush on frame 20', busy: false };
const object = (id: string): ObjectSummary => ({ id, clipId: 'c1', name: id, kind: 'mask', paletteIndex: 1, firstFrame: 0, lastFrame: null, hidden: false });

describe('history store', () => {
  it('asks again every second while a run writes, so Undo comes back when a run it did not see ends', async () => {
    let busy = true;
    let asked = 0;
    installStoresWith({ history: { status: async () => (asked++, { canUndo: !busy, canRedo: false, undoLabel: 'propagation (3 frames, interrupted)', busy }) } });
    vi.useFakeTimers();
    try {
      const store = useHistoryStore();
      store.open('p1', 'c1');
      await vi.advanceTimersByTimeAsync(0);
      expect(store.canUndo).toBe(false);
      busy = false;
      await vi.advanceTimersByTimeAsync(1000);
      expect(store.canUndo).toBe(true);
      await vi.advanceTimersByTimeAsync(5000);
      expect(asked).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('undoes after the pending saves, then reloads the timeline and the frame on screen when the step changed it', async () => {
    const save = deferred<void>();
    const calls: string[] = [];
    let frameLoads = 0;
    const change: HistoryChange = {
      label: 'brush on frame 20',
      objectIds: ['o1'],
      frames: { first: 20, last: 20 },
      objectsChanged: false,
      status: { canUndo: false, canRedo: true, redoLabel: 'brush on frame 20', busy: false },
    };
    installStoresWith({
      annotations: {
        getTimeline: async () => timeline([]),
        getFrame: async ({ frameIndex }) => (frameLoads++, emptyFrame(frameIndex)),
        putMask: () => (calls.push('putMask'), save.promise.then(() => ({ revision: 1 }))),
      },
      history: {
        status: async () => undoable,
        undo: async () => (calls.push('undo'), change),
      },
      objects: { list: async () => (calls.push('objects.list'), []) },
    });
    const annotations = useAnnotationsStore();
    const history = useHistoryStore();
    annotations.open('p1', 'c1');
    history.open('p1', 'c1');
    annotations.loadFrame(20);
    await flushPromises();
    expect(history.status).toEqual(undoable);
    expect(history.canUndo).toBe(true);

    void annotations.commitMask('o1', 20, new Uint8Array([1]), 'brush');
    const undone = history.undo();
    await flushPromises();
    expect(calls).toEqual(['putMask']);
    const loadsBefore = frameLoads;
    save.resolve();
    await expect(undone).resolves.toEqual(change);
    await flushPromises();
    expect(calls).toEqual(['putMask', 'undo']);
    expect(history.canUndo).toBe(false);
    expect(history.canRedo).toBe(true);
    expect(frameLoads).toBeGreaterThan(loadsBefore);

    // A step elsewhere in the clip leaves the frame on screen alone; objects reload only when objects changed.
    const loadsAfterUndo = frameLoads;
    annotations.onHistoryApplied({ first: 3, last: 9 });
    await flushPromises();
    expect(frameLoads).toBe(loadsAfterUndo);
  });

  it('reloads the object list after undoing an object change, and shows why an undo failed', async () => {
    let objectLists = 0;
    let failNext = false;
    installStoresWith({
      annotations: { getTimeline: async () => timeline([]), getFrame: async ({ frameIndex }) => emptyFrame(frameIndex) },
      history: {
        status: async () => undoable,
        undo: async () => {
          if (failNext) throw new ApiClientError('BUSY', 'cannot undo while a propagation run of this clip is still writing');
          return { label: 'delete "o2"', objectIds: ['o2'], frames: null, objectsChanged: true, status: undoable };
        },
      },
      objects: { list: async () => (objectLists++, [object('o1'), object('o2')]) },
    });
    const objects = useObjectsStore();
    const history = useHistoryStore();
    await objects.open('p1', 'c1');
    useAnnotationsStore().open('p1', 'c1');
    history.open('p1', 'c1');
    await flushPromises();
    await history.undo();
    expect(objectLists).toBe(2);
    expect(objects.objects.map((entry) => entry.id)).toEqual(['o1', 'o2']);

    failNext = true;
    await expect(history.undo()).resolves.toBeUndefined();
    expect(history.actionError).toBe('Could not undo: cannot undo while a propagation run of this clip is still writing');
  });

  it('does nothing when there is nothing to undo or redo', async () => {
    let undos = 0;
    installStoresWith({
      annotations: { getTimeline: async () => timeline([]), getFrame: async ({ frameIndex }) => emptyFrame(frameIndex) },
      history: { status: async () => ({ canUndo: false, canRedo: false, busy: false }), undo: async () => (undos++, undefined as never) },
    });
    const history = useHistoryStore();
    useAnnotationsStore().open('p1', 'c1');
    history.open('p1', 'c1');
    await flushPromises();
    await expect(history.undo()).resolves.toBeUndefined();
    await expect(history.redo()).resolves.toBeUndefined();
    expect(undos).toBe(0);
  });
});

describe('history keys', () => {
  const press = (key: string, modifiers: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean } = {}) => {
    const done: string[] = [];
    const handled = handleHistoryKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...modifiers } as KeyboardEvent, {
      undo: () => done.push('undo'),
      redo: () => done.push('redo'),
    });
    return { handled, done };
  };

  it('maps Ctrl/Cmd+Z to undo and Ctrl/Cmd+Shift+Z or Ctrl+Y to redo, and leaves other keys alone', () => {
    expect(press('z', { ctrlKey: true })).toEqual({ handled: true, done: ['undo'] });
    expect(press('z', { metaKey: true })).toEqual({ handled: true, done: ['undo'] });
    expect(press('Z', { ctrlKey: true, shiftKey: true })).toEqual({ handled: true, done: ['redo'] });
    expect(press('Z', { metaKey: true, shiftKey: true })).toEqual({ handled: true, done: ['redo'] });
    expect(press('y', { ctrlKey: true })).toEqual({ handled: true, done: ['redo'] });
    expect(press('z')).toEqual({ handled: false, done: [] });
    expect(press('z', { ctrlKey: true, altKey: true })).toEqual({ handled: false, done: [] });
    expect(press('s', { ctrlKey: true })).toEqual({ handled: false, done: [] });
  });

  it('asks before undoing another window\'s step and undoes it only when the annotator confirms', async () => {
    const sent: unknown[] = [];
    installStoresWith({
      annotations: { getTimeline: async () => timeline([]), getFrame: async ({ frameIndex }) => emptyFrame(frameIndex) },
      history: {
        status: async () => ({ ...undoable, undoByOtherSession: true }),
        undo: async (args) => {
          sent.push(args);
          if (!args.confirmOtherSession) throw new ApiClientError('OTHER_SESSION', 'The last change on this clip, "brush on frame 9", was made in another window. Undo it anyway?');
          return { label: 'brush on frame 9', objectIds: ['o1'], frames: { first: 9, last: 9 }, objectsChanged: false, status: undoable };
        },
      },
    });
    const history = useHistoryStore();
    useAnnotationsStore().open('p1', 'c1');
    history.open('p1', 'c1');
    await flushPromises();
    await expect(history.undo()).resolves.toBeUndefined();
    expect(history.otherSessionQuestion).toEqual({ direction: 'undo', message: 'The last change on this clip, "brush on frame 9", was made in another window. Undo it anyway?' });
    expect(history.actionError).toBeUndefined();
    expect(sent).toEqual([{ projectId: 'p1', clipId: 'c1', sessionId: editSessionId }]);

    await history.answerOtherSession(false);
    expect(history.otherSessionQuestion).toBeUndefined();
    expect(sent).toHaveLength(1);

    await history.undo();
    await expect(history.answerOtherSession(true)).resolves.toBeUndefined();
    expect(sent.at(-1)).toEqual({ projectId: 'p1', clipId: 'c1', sessionId: editSessionId, confirmOtherSession: true });
    expect(history.lastChange?.label).toBe('brush on frame 9');
  });
});
