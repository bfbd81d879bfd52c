import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageSequence, patternClip, squareClip } from './e2eEnvironment.ts';

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Makes the clips the specs import, with `ffmpeg -f lavfi`:
 * - pattern.mp4: 30 frames 160×120 at 10 fps; frame n has a bright bar at x = 5n..5n+7 on a background whose colour
 *   also moves with n, so a frame can be told from its neighbours by its pixels. `pattern.rgb` holds the same frames
 *   decoded by ffmpeg (30×120×160×3 bytes) as the reference the canvas is compared with.
 * - long.mp4: 300 frames of 1080p, whose import (probe, then thumbnails) takes seconds: long enough to see the
 *   progress bar and cancel it.
 * - not-a-video.mp4: a text file with a video's name.
 * - sequence/00000.jpg…00011.jpg: a DAVIS-style folder of 12 JPEG frames.
 * - square.mp4: the annotation clip, a bright textured square moving over a static textured background (squareClip).
 */
export default async function globalSetup(): Promise<void> {
  const directory = process.env.CORRESPOND_E2E_FIXTURES!;
  mkdirSync(directory, { recursive: true });
  const { width, height, fps, frameCount, barWidthPx, barStepPx } = patternClip;
  const bar = `between(X\\,${barStepPx}*N\\,${barStepPx}*N+${barWidthPx - 1})`;
  const pattern = join(directory, patternClip.fileName);
  ffmpeg([
    '-f', 'lavfi',
    '-i', `color=c=black:s=${width}x${height}:r=${fps}:d=${frameCount / fps},format=yuv444p,` +
      `geq=lum='if(${bar}\\,235\\,30+2*N+Y/6)':cb='90+3*N':cr='160-2*N'`,
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '12', '-g', '1',
    pattern,
  ]);
  ffmpeg(['-i', pattern, '-f', 'rawvideo', '-pix_fmt', 'rgb24', join(directory, 'pattern.rgb')]);
  ffmpeg([
    '-f', 'lavfi',
    '-i', 'testsrc2=s=1920x1080:r=30:d=10',
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast',
    join(directory, 'long.mp4'),
  ]);
  makeSquareClip(join(directory, squareClip.fileName));
  writeFileSync(join(directory, 'not-a-video.mp4'), 'This is a text file, not a video.\n');
  mkdirSync(join(directory, imageSequence.folderName), { recursive: true });
  ffmpeg([
    '-f', 'lavfi',
    '-i', `testsrc2=s=${imageSequence.width}x${imageSequence.height}:r=10:d=${imageSequence.frameCount / 10}`,
    '-start_number', '0', '-q:v', '3',
    join(directory, imageSequence.folderName, '%05d.jpg'),
  ]);
}

/** The square carries its own texture (it moves with it), so the engine has features to follow inside it too. */
function makeSquareClip(path: string): void {
  const { width, height, fps, frameCount, squareSizePx: size, squareX0, squareY0, squareStepX, squareStepY } = squareClip;
  const left = `(${squareX0}+${squareStepX}*N)`;
  const top = `(${squareY0}+${squareStepY}*N)`;
  const inside = `between(X\\,${left}\\,${left}+${size - 1})*between(Y\\,${top}\\,${top}+${size - 1})`;
  const squareLum = `205+28*sin((X-${left})*0.55)*sin((Y-${top})*0.4)`;
  const backgroundLum = `62+30*sin(X/5.3)*cos(Y/7.1)+18*sin((X+2*Y)/3.7)`;
  ffmpeg([
    '-f', 'lavfi',
    '-i', `color=c=black:s=${width}x${height}:r=${fps}:d=${frameCount / fps},format=yuv444p,` +
      `geq=lum='if(${inside}\\,${squareLum}\\,${backgroundLum})':` +
      `cb='if(${inside}\\,72\\,128+14*sin(Y/13))':cr='if(${inside}\\,168\\,128+14*cos(X/11))'`,
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '12', '-g', '1',
    path,
  ]);
}
