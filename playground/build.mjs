// Builds the playground as a static folder: dist/playground/{index.html, style.css, playground.js,
// paint-worker.js},
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
const common = { bundle: true, minify: true, platform: 'browser', target: 'es2022', logLevel: 'warning' };
await build({ ...common, entryPoints: [join(here, 'src', 'main.ts')], format: 'esm', outfile: join(out, 'playground.js') });
// the worker that paints the pictures on OffscreenCanvases (a classic worker script)
await build({ ...common, entryPoints: [join(here, 'src', 'paint-worker.ts')], format: 'iife', outfile: join(out, 'paint-worker.js') });
for (const f of ['index.html', 'style.css']) copyFileSync(join(here, f), join(out, f));
console.log(`playground built in ${out}`);
