import { describe, expect, it } from 'vitest';
import type { AppInfo } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { useAppStore } from './app.ts';
import { flushPromises, installStoresWith } from './storeTestHarness.ts';

const info: AppInfo = {
  version: '0.1.0',
  host: 'browser',
  computeDevice: { device: 'cpu', label: 'CPU · 2 threads', reason: 'no CUDA execution provider installed', threads: 2 },
  ffmpeg: { available: true, version: '5.1' },
  libraryDirectory: '/library',
};

describe('app store', () => {
  it('follows the connection and counts reconnects', () => {
    const harness = installStoresWith({ app: { getInfo: async () => info } });
    const app = useAppStore();
    harness.setConnection('reconnecting');
    expect(app.connectionState).toBe('reconnecting');
    harness.setConnection('connected');
    expect(app.connectionState).toBe('connected');
    expect(app.reconnectCount).toBe(1);
  });

  it('asks for the engine info again after a reconnect when the first request was lost', async () => {
    const answers: (() => Promise<AppInfo>)[] = [
      () => Promise.reject(new ApiClientError('CONNECTION_LOST', 'The connection to Correspond was lost.')),
      async () => info,
    ];
    const harness = installStoresWith({ app: { getInfo: () => answers.shift()!() } });
    const app = useAppStore();
    await app.loadInfo();
    expect(app.infoError).toMatch(/connection/);
    harness.setConnection('reconnecting');
    harness.setConnection('connected');
    await flushPromises();
    expect(app.info?.computeDevice.label).toBe('CPU · 2 threads');
    expect(app.infoError).toBeUndefined();
  });
});
