import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageSize } from './imageSize.ts';
import { makeTempFolder } from '../../../tests/support/testClips.ts';

const folder = makeTempFolder();
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('readImageSize', () => {
  it.each(['png', 'jpg', 'bmp', 'webp'])('reads width and height from a .%s header', (extension) => {
    const file = path.join(folder, `image.${extension}`);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=70x38', '-frames:v', '1', file]);
    expect(readImageSize(file)).toEqual({ width: 70, height: 38 });
  });

  it('returns undefined for a file that is not an image', () => {
    const file = path.join(folder, 'fake.png');
    writeFileSync(file, 'plain text');
    expect(readImageSize(file)).toBeUndefined();
  });
});
