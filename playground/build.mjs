// Builds the playground as a static folder: dist/playground/{index.html, style.css, playground.js},
// or the folder given as the first argument. `npm run build:playground` (and `npm run build`) run
// it; any static host can serve the result.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] !== undefined ? resolve(process.argv[2]) : join(here, '..', 'dist', 'playground');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: join(out, 'playground.js'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(here, f), join(out, f));
console.log(`playground built in ${out}`);
