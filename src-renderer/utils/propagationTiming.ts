/**
 * How long a propagation takes to show its first frame, as User Timing entries the browser keeps (DevTools'
 * Performance panel, `performance.getEntriesByName`) and `npx correspond bench ui` reads:
 *
 *   correspond:propagate-click ─▶ correspond:first-frame-received   (the engine's first frame reached the page)
 *                              ─▶ correspond:first-frame-shown      (its labels were drawn over the frame)
 *
 * Before a click, `correspond:prepared` marks that the runs from the playhead were readied (propagation.prepare):
 * its detail is the frame. A click after it finds the first frame selected already.
 *
 * "Shown" is measured only when the annotator is looking at that frame (the usual case: step to the next frame,
 * click Forward). A new click starts over; a run that ends first leaves no "shown" entry.
 */
export const CLICK_MARK = 'correspond:propagate-click';
export const RECEIVED_MEASURE = 'correspond:first-frame-received';
export const SHOWN_MEASURE = 'correspond:first-frame-shown';
export const PREPARED_MARK = 'correspond:prepared';
/** How long one preparation took (the background work behind a "prepared" click). */
export const PREPARE_MEASURE = 'correspond:prepare';

interface Pending {
  frameIndex?: number;
  loaded: boolean;
}

let pending: Pending | undefined;

export function markPropagationClick(): void {
  pending = { loaded: false };
  performance.mark(CLICK_MARK);
}

/** The run reported its first computed frame. */
export function markFirstFrameReceived(frameIndex: number | undefined): void {
  if (!pending || pending.frameIndex !== undefined || frameIndex === undefined) return;
  pending.frameIndex = frameIndex;
  performance.measure(RECEIVED_MEASURE, CLICK_MARK);
}

/** The annotations of `frameIndex` arrived in the page (after the engine wrote them). */
export function markFrameLoaded(frameIndex: number): void {
  if (pending?.frameIndex === frameIndex) pending.loaded = true;
}

/** The overlay canvas drew the labels of `frameIndex`. */
export function markOverlayDrawn(frameIndex: number | undefined): void {
  if (!pending?.loaded || frameIndex !== pending.frameIndex) return;
  pending = undefined;
  performance.measure(SHOWN_MEASURE, CLICK_MARK);
}

/** The run ended: later loads and draws belong to no click. */
export function endPropagationTiming(): void {
  pending = undefined;
}

/** The runs from the playhead at `frameIndex` were prepared; the work began at `startedAt` (performance.now()). */
export function markPrepared(frameIndex: number, startedAt: number): void {
  performance.measure(PREPARE_MEASURE, { start: startedAt, end: performance.now(), detail: frameIndex });
  performance.mark(PREPARED_MARK, { detail: frameIndex });
}
