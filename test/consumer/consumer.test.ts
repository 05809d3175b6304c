// The package as users get it: npm pack, a fresh app that installs the tarball (offline), strict
// TypeScript consumers (ESM, CommonJS, a bundled page) without skipLibCheck, require(), and an
// esbuild bundle that trains, saves and reloads a DLGN in headless Chromium with no console error.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const app = join(import.meta.dirname, 'app');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir: string;

/** What app/page.ts leaves in window.halfspaceResult. */
interface PageResult {
  accuracy: number;
  epochs: number;
  progressCalls: number;
  reloadedExact: boolean;
  fromJsonExact: boolean;
  badCheckpointError: string;
  gemmKernel: string;
  gemmGflops: number;
  gemmRuns: { wasm: number; javascript: number; timed: number };
}
let tarball: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${x.stdout ?? ''}${x.stderr ?? ''}${x.message}`);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'halfspace-consumer-'));
  // dist/ is fresh: `npm test` builds before vitest runs
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
  tarball = (JSON.parse(out) as (typeof tarball)[])[0];
  // the app depends on the tarball; its lockfile pins ndarray and its two dependencies as the
  // repository's lockfile does, so `npm ci --offline` installs from the npm cache `npm ci` filled
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const dep = `file:${tarball.filename}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { halfspace: dep } },
    'node_modules/halfspace': { version: pkg.version, resolved: dep, dependencies: pkg.dependencies, bin: { halfspace: 'bin/halfspace.js' } },
  };
  for (const name of ['ndarray', 'iota-array', 'is-buffer']) packages[`node_modules/${name}`] = lock.packages[`node_modules/${name}`];
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { halfspace: dep } }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
  for (const f of readdirSync(app)) copyFileSync(join(app, f), join(dir, f));
  // a Node app has @types/node; nothing else of the repository is visible from the temp dir
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
}, 60_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('is small and ships what a user needs: no maps, no experiment figures, no sources', () => {
    expect(tarball.size).toBeLessThan(600_000);
    const paths = tarball.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/node/index.js', 'dist/viz/index.js', 'bin/halfspace.js', 'README.md', 'docs/math.md', 'docs/checkpoint-format.md']));
    expect(paths.filter((p) => p.endsWith('.map') || p.startsWith('docs/experiments') || p.startsWith('src/') || p.endsWith('.svg'))).toEqual([]);
    // installed without @types/ndarray or any other type package
    expect(existsSync(join(dir, 'node_modules', '@types', 'ndarray'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'halfspace', 'dist', 'index.js'))).toBe(true);
  });

  it('type-checks strict ESM and CommonJS Node consumers without skipLibCheck, and both run', () => {
    run('node', [tsc, '-p', 'tsconfig.node.json'], dir);
    const esm = JSON.parse(run('node', ['out/node-esm.mjs'], dir)) as Record<string, unknown>;
    expect(esm).toEqual({ kind: 'dlgn', epochs: 3, svg: true });
    const cjsText = readFileSync(join(dir, 'out', 'node-cjs.cjs'), 'utf8');
    expect(cjsText).toMatch(/require\("halfspace"\)/);
    expect(JSON.parse(run('node', ['out/node-cjs.cjs'], dir))).toEqual({ kind: 'dlgn', save: 'function', module: 'object' });
  });

  it('require() works for every entry (plain CommonJS, require(esm))', () => {
    const code = `for (const e of ['halfspace', 'halfspace/tensor', 'halfspace/autograd', 'halfspace/models', 'halfspace/paths', 'halfspace/data', 'halfspace/io', 'halfspace/viz', 'halfspace/node']) { if (Object.keys(require(e)).length === 0) throw new Error(e); } console.log(typeof require('halfspace').serializeCheckpoint);`;
    writeFileSync(join(dir, 'require-all.cjs'), code);
    expect(run('node', ['require-all.cjs'], dir).trim()).toBe('function');
  });

  it('type-checks a strict browser page (DOM lib, no Node types) without skipLibCheck', () => {
    run('node', [tsc, '-p', 'tsconfig.browser.json'], dir);
  });

  it('bundles with esbuild and trains, saves and reloads a DLGN in headless Chromium with no console error', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
    const result = await build({ entryPoints: [join(dir, 'page.ts')], absWorkingDir: dir, bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: join(dir, 'page.js'), logLevel: 'silent', metafile: true });
    expect(result.errors).toEqual([]);
    const js = readFileSync(join(dir, 'page.js'));
    const size = { minified: js.length, gzip: gzipSync(js, { level: 9 }).length };

    const server = createServer((req, res) => {
      const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
      const file = join(dir, name);
      if (!['index.html', 'page.js'].includes(name) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const problems: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 560 } });
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      // page-side code as strings: this file is compiled without the DOM library
      await page.waitForFunction('window.halfspaceResult !== undefined || /failed/.test(document.getElementById("status").textContent)', undefined, { timeout: 45_000 });
      const r = (await page.evaluate('window.halfspaceResult')) as PageResult | undefined;
      const shot = process.env.HALFSPACE_PAGE_SCREENSHOT;
      if (shot !== undefined) await page.screenshot({ path: shot });
      expect(problems).toEqual([]);
      expect(r).toBeDefined();
      expect(r!.reloadedExact && r!.fromJsonExact).toBe(true);
      expect(r!.accuracy).toBeGreaterThan(0.85);
      expect(r!.epochs).toBe(60);
      expect(r!.progressCalls).toBe(600);
      expect(r!.badCheckpointError).toBe("checkpoint upload.json: unsupported version 2 (this build reads version 1 only)");
      expect(await page.locator('#regions svg').count()).toBe(1);
      expect(await page.locator('#curve svg polyline').count()).toBeGreaterThan(0);
      // two figures inlined in one document: ids are document-wide, and none may repeat
      const ids = (await page.evaluate('[...document.querySelectorAll("[id]")].map((e) => e.id)')) as string[];
      expect(ids.length).toBeGreaterThan(3);
      expect(new Set(ids).size).toBe(ids.length);
      // the compiled kernel survives bundling: the WebAssembly module is built from TypeScript at
      // run time, and every timed product ran in it (the counters count calls, not a claim)
      expect(r!.gemmKernel).toBe('wasm-simd');
      expect(r!.gemmRuns.timed).toBeGreaterThan(0);
      expect(r!.gemmRuns.wasm).toBe(r!.gemmRuns.timed);
      expect(r!.gemmRuns.javascript).toBe(0);
      // the speed is recorded, not asserted (performance is the benchmarks' business)
      const report = { bundle: size, gemmKernel: r!.gemmKernel, gemm256GflopsInChromium: Number(r!.gemmGflops.toFixed(2)), chromium: browser.version() };
      console.log(`browser page: ${JSON.stringify(report)}`);
      if (process.env.HALFSPACE_BROWSER_REPORT !== undefined) writeFileSync(process.env.HALFSPACE_BROWSER_REPORT, `${JSON.stringify(report, null, 2)}\n`);
    } finally {
      await browser.close();
      server.close();
    }
  }, 60_000);
});
