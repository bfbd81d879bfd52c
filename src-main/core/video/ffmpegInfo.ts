import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { VideoError } from './videoError.ts';

export interface FfmpegInfo {
  ffmpegPath: string;
  ffprobePath: string;
  /** First line of `ffmpeg -version`, e.g. `5.1.9-0+deb12u1`. */
  version: string;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(binaryName: string): string | undefined {
  const names = process.platform === 'win32' ? [`${binaryName}.exe`, binaryName] : [binaryName];
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!directory) continue;
    for (const name of names) {
      const candidate = path.join(directory, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function fromEnvironment(variable: string): string | undefined {
  const value = process.env[variable];
  if (!value) return undefined;
  if (!isExecutableFile(value)) {
    throw new VideoError('FFMPEG_MISSING', `${variable} points to "${value}", which is not an executable file`);
  }
  return value;
}

function readVersion(ffmpegPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, ['-hide_banner', '-version'], { timeout: 15_000 }, (error, stdout) => {
      if (error) {
        reject(new VideoError('FFMPEG_MISSING', `could not run "${ffmpegPath} -version" (${error.message})`));
        return;
      }
      const match = /version\s+(\S+)/.exec(stdout);
      resolve(match ? match[1] : stdout.split('\n')[0].trim());
    });
  });
}

async function locate(): Promise<FfmpegInfo> {
  const ffmpegPath = fromEnvironment('CORRESPOND_FFMPEG') ?? findOnPath('ffmpeg');
  if (!ffmpegPath) {
    throw new VideoError(
      'FFMPEG_MISSING',
      'ffmpeg was not found on PATH; install ffmpeg or set CORRESPOND_FFMPEG to its full path',
    );
  }
  const besideFfmpeg = path.join(path.dirname(ffmpegPath), path.basename(ffmpegPath).replace(/ffmpeg/i, 'ffprobe'));
  const ffprobePath =
    fromEnvironment('CORRESPOND_FFPROBE') ??
    (besideFfmpeg !== ffmpegPath && isExecutableFile(besideFfmpeg) ? besideFfmpeg : findOnPath('ffprobe'));
  if (!ffprobePath) {
    throw new VideoError(
      'FFMPEG_MISSING',
      'ffprobe was not found next to ffmpeg or on PATH; install ffmpeg or set CORRESPOND_FFPROBE to its full path',
    );
  }
  const version = await readVersion(ffmpegPath);
  // fluent-ffmpeg keeps its binary paths in one process-wide cache; point it at what we located.
  ffmpeg.setFfmpegPath(ffmpegPath);
  ffmpeg.setFfprobePath(ffprobePath);
  return { ffmpegPath, ffprobePath, version };
}

// Memoised per environment so a changed CORRESPOND_FFMPEG/PATH is honoured, without re-running `-version` per call.
const located = new Map<string, Promise<FfmpegInfo>>();

/** Locates ffmpeg/ffprobe (env `CORRESPOND_FFMPEG` / `CORRESPOND_FFPROBE`, else PATH) and reads the version. */
export function ffmpegInfo(): Promise<FfmpegInfo> {
  const key = [process.env.CORRESPOND_FFMPEG, process.env.CORRESPOND_FFPROBE, process.env.PATH].join('\0');
  let pending = located.get(key);
  if (!pending) {
    pending = locate();
    located.set(key, pending);
    pending.catch(() => located.delete(key));
  }
  return pending.then((info) => {
    // Another environment may have re-pointed fluent-ffmpeg's shared cache since.
    ffmpeg.setFfmpegPath(info.ffmpegPath);
    ffmpeg.setFfprobePath(info.ffprobePath);
    return info;
  });
}

let encoderList: string | undefined;
/** Whether this machine's ffmpeg ($CORRESPOND_FFMPEG or `ffmpeg`) has the video encoder `name` (`ffmpeg -encoders`). */
export function hasEncoder(name: string): boolean {
  encoderList ??= execFileSync(process.env.CORRESPOND_FFMPEG || 'ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(encoderList);
}
