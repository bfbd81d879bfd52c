import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { ffmpegInfo } from './ffmpegInfo.ts';
import { CancelledError } from '../base/cancellation.ts';
import { inputRestrictions } from './ffmpegInputPolicy.ts';

export interface FfmpegRunOptions {
  input: string;
  /** Options placed before `-i` (seeking, demuxer choice). */
  inputOptions?: string[];
  /** The demuxers the input may use (ffmpegInputPolicy.ts); ffmpeg reads it through the file protocol only. */
  demuxers: readonly string[];
  /** Options placed after `-i` (filters, codec, frame limit). */
  outputOptions: string[];
  /** Output muxer written to stdout, e.g. `rawvideo` or `image2pipe`. */
  format: string;
  signal?: AbortSignal;
  onData: (chunk: Buffer) => void;
  onStderrLine?: (line: string) => void;
}

/** One running ffmpeg process writing to a pipe. */
export interface FfmpegRun {
  /** Resolves once ffmpeg exited cleanly and every stdout byte went to `onData`. */
  done: Promise<void>;
  /** Kills ffmpeg (SIGKILL); `done` then rejects with `reason`. */
  kill(reason: Error): void;
}

/** Last stderr lines that look like an explanation, for error messages. */
function explain(stderrLines: string[]): string {
  const useful = stderrLines.filter((line) => line.trim() && !line.includes('Parsed_showinfo'));
  return useful.slice(-3).join(' | ').trim();
}

/** Starts ffmpeg through fluent-ffmpeg with stdout piped to `onData`. */
export async function startFfmpeg(options: FfmpegRunOptions): Promise<FfmpegRun> {
  const { ffmpegPath } = await ffmpegInfo();
  if (options.signal?.aborted) throw new CancelledError(options.signal);
  const command = ffmpeg(options.input, { stdoutLines: 30 })
    .setFfmpegPath(ffmpegPath)
    .inputOptions(['-hide_banner', '-nostats', '-nostdin', ...inputRestrictions(options.demuxers), ...(options.inputOptions ?? [])])
    .outputOptions(options.outputOptions)
    .format(options.format);
  const stdout = new PassThrough();
  const recentStderr: string[] = [];
  let killReason: Error | undefined;
  let rejectDone: (reason: Error) => void = () => {};

  const done = new Promise<void>((resolve, reject) => {
    rejectDone = reject;
    let processEnded = false;
    let stdoutEnded = false;
    const settleIfComplete = () => {
      if (processEnded && stdoutEnded) resolve();
    };
    stdout.on('data', (chunk: Buffer) => {
      if (killReason) return;
      try {
        options.onData(chunk);
      } catch (error) {
        // A consumer that cannot parse the output ends the run instead of throwing out of the stream event.
        kill(error instanceof Error ? error : new Error(String(error)));
      }
    });
    stdout.on('end', () => {
      stdoutEnded = true;
      settleIfComplete();
    });
    command.on('stderr', (line: string) => {
      recentStderr.push(line);
      if (recentStderr.length > 30) recentStderr.shift();
      options.onStderrLine?.(line);
    });
    command.on('start', () => {
      // kill() before the process existed (fluent-ffmpeg spawns asynchronously) takes effect now.
      if (killReason) command.kill('SIGKILL');
    });
    command.on('error', (error: Error) => {
      if (killReason) {
        reject(killReason);
        return;
      }
      // fluent-ffmpeg reports "Output stream closed" when ffmpeg has not exited 20 ms after its output ended (and
      // kills it): on a busy machine that happens after a complete, clean output. Every byte arrived, so it is done.
      if (stdoutEnded && error.message.startsWith('Output stream closed')) {
        resolve();
        return;
      }
      const detail = explain(recentStderr);
      // fluent-ffmpeg's message is "ffmpeg exited with code N: <stderr>"; its first line can stop inside a bracket
      // of ffmpeg's text, so only the exit status is kept and the explanation comes from whole stderr lines.
      const status = /^ffmpeg (?:exited with code \d+|was killed with signal \w+)/.exec(error.message)?.[0] ?? error.message.split('\n')[0];
      reject(new Error(detail ? `${status}: ${detail}` : error.message));
    });
    command.on('end', () => {
      processEnded = true;
      if (killReason) reject(killReason);
      else settleIfComplete();
    });
  });

  const kill = (reason: Error) => {
    if (killReason) return;
    killReason = reason;
    rejectDone(reason);
    command.kill('SIGKILL');
    stdout.destroy();
  };
  // Callers await `done`; this only keeps a kill before that await from being reported as unhandled.
  done.catch(() => {});
  const onAbort = () => kill(new CancelledError(options.signal));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  done.then(
    () => options.signal?.removeEventListener('abort', onAbort),
    () => options.signal?.removeEventListener('abort', onAbort),
  );
  command.pipe(stdout, { end: true });
  return { done, kill };
}
