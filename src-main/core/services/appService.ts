import type { AppInfo, AppService, ComputeDeviceInfo } from '../api/contract.ts';
import { ffmpegInfo } from '../video/index.ts';

export interface AppServiceOptions {
  version: string;
  host: AppInfo['host'];
  libraryDirectory: string;
  describeComputeDevice: () => ComputeDeviceInfo;
}

export class DefaultAppService implements AppService {
  constructor(private readonly options: AppServiceOptions) {}

  async getInfo(): Promise<AppInfo> {
    let ffmpeg: AppInfo['ffmpeg'];
    try {
      ffmpeg = { available: true, version: (await ffmpegInfo()).version };
    } catch (error) {
      ffmpeg = { available: false, problem: (error as Error).message };
    }
    return {
      version: this.options.version,
      host: this.options.host,
      computeDevice: this.options.describeComputeDevice(),
      ffmpeg,
      libraryDirectory: this.options.libraryDirectory,
    };
  }
}
