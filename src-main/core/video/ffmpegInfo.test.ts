import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegInfo } from './ffmpegInfo.ts';

const savedFfmpeg = process.env.CORRESPOND_FFMPEG;
afterEach(() => {
  if (savedFfmpeg === undefined) delete process.env.CORRESPOND_FFMPEG;
  else process.env.CORRESPOND_FFMPEG = savedFfmpeg;
});

describe('ffmpegInfo', () => {
  it('finds ffmpeg and ffprobe and reads the version', async () => {
    const info = await ffmpegInfo();
    expect(info.ffmpegPath).toMatch(/ffmpeg$/);
    expect(info.ffprobePath).toMatch(/ffprobe$/);
    expect(info.version).toMatch(/\d/);
  });

  it('names the variable when CORRESPOND_FFMPEG points nowhere', async () => {
    process.env.CORRESPOND_FFMPEG = '/nonexistent/ffmpeg';
    await expect(ffmpegInfo()).rejects.toMatchObject({
      code: 'FFMPEG_MISSING',
      message: expect.stringContaining('CORRESPOND_FFMPEG'),
    });
  });
});
