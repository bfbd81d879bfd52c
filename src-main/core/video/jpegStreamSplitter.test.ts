import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { JpegStreamSplitter } from './jpegStreamSplitter.ts';

describe('JpegStreamSplitter', () => {
  it('cuts an mjpeg stream into whole images however the bytes are chunked', () => {
    const stream = execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=10:d=0.5',
      '-c:v', 'mjpeg', '-f', 'image2pipe', '-']);
    for (const chunkBytes of [1, 7, 4096, stream.length]) {
      const images: Uint8Array[] = [];
      const splitter = new JpegStreamSplitter((jpeg) => images.push(jpeg));
      for (let offset = 0; offset < stream.length; offset += chunkBytes) splitter.push(stream.subarray(offset, offset + chunkBytes));
      expect(images).toHaveLength(5);
      expect(Buffer.concat(images).equals(stream)).toBe(true);
      expect(splitter.pendingBytes).toBe(0);
    }
  });

  it('rejects a stream that is not JPEG', () => {
    const splitter = new JpegStreamSplitter(() => {});
    expect(() => splitter.push(Buffer.from('not a jpeg'))).toThrow(/not a JPEG/);
  });
});
