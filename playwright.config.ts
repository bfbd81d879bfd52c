import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumPath, e2eOrigin, e2ePort, e2eToken, libraryDirectory } from './tests/e2e/e2eEnvironment.ts';

// One fresh library and fixtures folder per run. The config is evaluated again in each worker; the environment set
// here by the first evaluation is inherited by them, so all share the same folders.
process.env.CORRESPOND_E2E_ROOT ??= mkdtempSync(join(tmpdir(), 'correspond-e2e-'));
process.env.CORRESPOND_E2E_FIXTURES ??= join(process.env.CORRESPOND_E2E_ROOT, 'fixtures');

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/globalSetup.ts',
  outputDir: 'test-results/e2e',
  // One worker: the specs share one host, and the machine has two cores shared with ffmpeg.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: e2eOrigin,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `node bin/correspond.mjs serve --port ${e2ePort}`,
    url: `${e2eOrigin}/?token=${e2eToken}`,
    env: { CORRESPOND_HOME: libraryDirectory(), CORRESPOND_TOKEN: e2eToken },
    reuseExistingServer: false,
    // The host builds the app first when out/ is missing or stale.
    timeout: 240_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
