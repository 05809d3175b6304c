// `halfspace playground`: serves the built playground page (dist/playground) on localhost.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../node/static-server.js';
import type { CommandSpec, Flags } from '../args.js';

export const playgroundHelp = `halfspace playground [--port 8177] [--host 127.0.0.1]

Serves the playground (a DLGN's regions, gating lines and paths, live while it trains) from the
package's dist/playground folder and prints its URL; Ctrl-C stops it. --port 0 picks a free
port. The folder is static: \`npm run build:playground\` builds it in a clone, and any static
host can serve it. See docs/playground.md.`;

/** The package root: the nearest folder above this module with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root (no package.json above the CLI)');
    dir = up;
  }
}

/** Where the built playground is. */
export function playgroundDir(): string {
  return join(packageRoot(), 'dist', 'playground');
}

async function playgroundCommand(f: Flags): Promise<number> {
  const port = f.number('port', 8177, 'int');
  const host = f.string('host', '127.0.0.1');
  const dir = playgroundDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the playground is not built (${join(dir, 'index.html')} is missing); in a clone run \`npm run build:playground\``);
  }
  const s = await serveStatic(dir, { port, host });
  process.stdout.write(`halfspace playground: ${s.url}\n(serving ${dir}; Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void s.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export const playgroundSpec: CommandSpec = {
  name: 'playground',
  summary: 'serve the interactive playground page on localhost and print its URL',
  help: playgroundHelp,
  options: [
    { name: 'port', value: 'N' },
    { name: 'host', value: 'HOST' },
  ],
  run: playgroundCommand,
};
