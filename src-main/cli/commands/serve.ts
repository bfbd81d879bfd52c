import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliCommand, numberFlag, parseArgs, stringFlag, UsageError } from '../cliCommand.ts';
import { createServices } from '../../core/createServices.ts';
import { defaultLibraryDirectory } from '../../core/store/projectLibrary.ts';
import { startBrowserHost } from '../../host/browserHost.ts';
import { buildApp, rendererBuildIsStale } from '../../host/rendererBuild.ts';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const command: CliCommand = {
  name: 'serve',
  summary: 'Start the browser host (the app in a browser on 127.0.0.1) and print its URL.',
  usage: [
    'Usage: npx correspond serve [--port 5177] [--library DIR]',
    '',
    'Serves the Correspond app and its API on http://127.0.0.1:PORT, reachable only from this machine and only',
    'with the random token in the printed URL. Builds the app first when the build is missing or out of date.',
    '',
    '  --port N        port to listen on (default 5177; 0 picks a free one)',
    '  --library DIR   folder holding the projects (default $CORRESPOND_HOME or ~/.local/share/correspond/projects)',
    '',
    'Environment: CORRESPOND_TOKEN fixes the access token (for automated tests).',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    const port = numberFlag(args, 'port', 5177);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be an integer 0..65535');
    const libraryDirectory = resolve(stringFlag(args, 'library') ?? defaultLibraryDirectory());
    const log = (line: string) => process.stderr.write(`${line}\n`);
    if (rendererBuildIsStale(appRoot)) await buildApp(appRoot, log);

    const services = createServices({ libraryDirectory, host: 'browser', appRoot });
    const host = await startBrowserHost({
      dispatcher: services.dispatcher,
      rendererDir: join(appRoot, 'out/renderer'),
      port,
      token: process.env.CORRESPOND_TOKEN || undefined,
    }).catch((error: NodeJS.ErrnoException) => {
      services.dispose();
      if (error.code === 'EADDRINUSE') throw new Error(`port ${port} is already in use; pick another with --port`);
      throw error;
    });
    process.stdout.write(`Correspond is running at ${host.url}\n`);
    log(`Projects: ${libraryDirectory}. Press Ctrl+C to stop.`);

    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await host.close();
    services.dispose();
    return 0;
  },
};
