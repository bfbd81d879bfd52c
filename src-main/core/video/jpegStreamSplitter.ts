/**
 * Splits a stream of concatenated JPEG images (ffmpeg `-f image2pipe -c:v mjpeg`) into whole files by walking
 * the marker structure: segments carry their length until start-of-scan, then the entropy-coded data is scanned
 * for the end-of-image marker (0xFF bytes inside scan data are always followed by 0x00 or a restart marker).
 */
export class JpegStreamSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  /** Where parsing resumes inside `buffer`; everything before it belongs to the image being assembled. */
  private cursor = 0;
  private inScan = false;

  constructor(private readonly onImage: (jpeg: Uint8Array) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.step()) {
      // keep cutting images while whole ones are buffered
    }
  }

  /** Bytes after the last whole image (non-zero at the end means the stream was cut). */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /** Advances the parser; returns true when an image was emitted and parsing should continue. */
  private step(): boolean {
    const bytes = this.buffer;
    if (this.cursor === 0) {
      if (bytes.length < 2) return false;
      if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('ffmpeg output is not a JPEG stream');
      this.cursor = 2;
      this.inScan = false;
    }
    while (!this.inScan) {
      if (this.cursor + 4 > bytes.length) return false;
      const marker = bytes[this.cursor + 1];
      if (bytes[this.cursor] !== 0xff) throw new Error('malformed JPEG in ffmpeg output');
      if (marker === 0xff) {
        this.cursor += 1;
        continue;
      }
      const segmentEnd = this.cursor + 2 + bytes.readUInt16BE(this.cursor + 2);
      if (segmentEnd > bytes.length) return false;
      this.cursor = segmentEnd;
      if (marker === 0xda) this.inScan = true;
    }
    for (let index = this.cursor; index + 1 < bytes.length; index += 1) {
      if (bytes[index] !== 0xff) continue;
      const next = bytes[index + 1];
      if (next === 0xd9) {
        const end = index + 2;
        this.onImage(new Uint8Array(bytes.subarray(0, end)));
        this.buffer = bytes.subarray(end);
        this.cursor = 0;
        return true;
      }
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        index += 1;
        continue;
      }
      // Another marker between scans (progressive JPEG): go back to walking segments.
      this.cursor = index;
      this.inScan = false;
      return this.step();
    }
    this.cursor = Math.max(this.cursor, bytes.length - 1);
    return false;
  }
}
