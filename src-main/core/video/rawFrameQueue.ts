/**
 * Cuts an ffmpeg rawvideo byte stream into whole frames and pairs each with the presentation time that
 * the `showinfo` filter printed for it on stderr. The two pipes arrive independently, so a frame is only
 * handed out once its time is known (or ffmpeg has ended).
 */
export class RawFrameQueue {
  private readonly frames: (Uint8Array | undefined)[] = [];
  private readonly presentationSecs: number[] = [];
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private timeBaseSec: number | undefined;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly frameBytes: number) {}

  pushBytes(chunk: Buffer): void {
    this.partial.push(chunk);
    this.partialBytes += chunk.length;
    if (this.partialBytes < this.frameBytes) return;
    let joined = Buffer.concat(this.partial, this.partialBytes);
    while (joined.length >= this.frameBytes) {
      this.frames.push(new Uint8Array(joined.subarray(0, this.frameBytes))); // copy: the pooled chunk is released
      joined = joined.subarray(this.frameBytes);
    }
    this.partial = joined.length > 0 ? [joined] : [];
    this.partialBytes = joined.length;
    this.notify();
  }

  /**
   * Reads a frame time from a showinfo log line (other lines are ignored). Uses the integer `pts` and the link
   * time base, because `pts_time` is printed with only 6 significant digits (too coarse after ~20 minutes).
   */
  pushStderrLine(line: string): void {
    if (!line.includes('Parsed_showinfo')) return;
    const config = /config in time_base:\s*(\d+)\/(\d+)/.exec(line);
    if (config) {
      this.timeBaseSec = Number(config[1]) / Number(config[2]);
      return;
    }
    const match = /\bn:\s*\d+\s+pts:\s*(\S+)\s+pts_time:(\S+)/.exec(line);
    if (!match) return;
    const pts = Number(match[1]);
    const seconds = this.timeBaseSec !== undefined && Number.isFinite(pts) ? pts * this.timeBaseSec : Number(match[2]);
    this.presentationSecs.push(seconds);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: Error): void {
    this.failure = error;
    this.notify();
  }

  /** Bytes left over after the last whole frame (non-zero means ffmpeg output a different frame size). */
  get leftoverBytes(): number {
    return this.partialBytes;
  }

  /** Frames in output order with their showinfo time (NaN when none was printed). */
  async *read(): AsyncGenerator<{ data: Uint8Array; presentationSec: number }> {
    let index = 0;
    for (;;) {
      const settled = this.ended || this.failure !== undefined;
      if (index < this.frames.length && (index < this.presentationSecs.length || settled)) {
        const data = this.frames[index] as Uint8Array;
        this.frames[index] = undefined; // release as we go: a long sequential read must not accumulate
        yield { data, presentationSec: this.presentationSecs[index] ?? Number.NaN };
        index += 1;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
