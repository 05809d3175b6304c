// Browser suite: the engine bundled by esbuild into a page, float64 products timed in headless Chromium with each kernel.
//
// Run alone (after npm run build): node --import tsx bench/browser.bench.ts [--quick]   (or `npm run bench -- --suite browser`)
// Needs esbuild and playwright-core (devDependencies) and a Chromium (CHROMIUM_PATH, default
// /usr/bin/chromium); without one the suite is skipped with a line saying why. The page times
// its products with performance.now() and counts which kernel ran each (gemmKernelCounts), so a
// kernel dropped by bundling would show as products counted under 'javascript'.
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BENCH_DIR, type MachineInfo, fmtRatio, machineInfo, machineLine, markdownTable, table, writeResult } from './common.js';
import type { BrowserGemmRow, BrowserPageResult } from './browser/page.js';

export interface BrowserSuiteResult {
  bench: 'browser';
  date: string;
  machine: MachineInfo;
  browser: string;
  /** Bytes of the bundled page script, minified and gzipped. */
  bundle: { minified: number; gzip: number };
  options: { sizes: number[]; rounds: number; quick: boolean };
  skipped: string[];
  seconds: number;
  defaultKernel: string;
  rows: BrowserGemmRow[];
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function runBrowserBench(opts: { quick?: boolean } = {}): Promise<BrowserSuiteResult | { unavailable: string }> {
  const started = Date.now();
  if (!existsSync(CHROMIUM)) return { unavailable: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` };
  let esbuild: typeof import('esbuild');
  let playwright: typeof import('playwright-core');
  try {
    esbuild = await import('esbuild');
    playwright = await import('playwright-core');
  } catch (e) {
    return { unavailable: `esbuild or playwright-core is not installed (${e instanceof Error ? e.message : String(e)})` };
  }
  const sizes = opts.quick ? [256] : [128, 256, 512];
  const rounds = opts.quick ? 7 : 15;
  const dir = mkdtempSync(join(tmpdir(), 'halfspace-bench-browser-'));
  try {
    await esbuild.build({ entryPoints: [join(BENCH_DIR, 'browser', 'page.ts')], bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: join(dir, 'page.js'), logLevel: 'silent' });
    const js = readFileSync(join(dir, 'page.js'));
    const html = '<!doctype html><meta charset="utf-8"><title>halfspace bench</title><script type="module" src="page.js"></script>';
    const server = createServer((req, res) => {
      if ((req.url ?? '').startsWith('/page.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else if ((req.url ?? '/').split('?')[0] === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/?sizes=${sizes.join(',')}&rounds=${rounds}`);
      await page.waitForFunction('globalThis.benchResult !== undefined || globalThis.benchError !== undefined', undefined, { timeout: 600_000, polling: 500 });
      const err = (await page.evaluate('globalThis.benchError')) as string | undefined;
      if (err !== undefined || errors.length > 0) throw new Error(`bench browser: the page failed: ${err ?? errors.join('; ')}`);
      const r = (await page.evaluate('globalThis.benchResult')) as BrowserPageResult;
      return {
        bench: 'browser', date: new Date().toISOString(), machine: machineInfo(), browser: `Chromium ${browser.version()}`,
        bundle: { minified: js.length, gzip: gzipSync(js, { level: 9 }).length },
        options: { sizes, rounds, quick: opts.quick === true }, skipped: [], seconds: (Date.now() - started) / 1000,
        defaultKernel: r.defaultKernel, rows: r.rows,
      };
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function browserHeader(r: BrowserSuiteResult): string {
  return [
    'browser: C = A B float64, square n, in an esbuild bundle (minified) in headless Chromium, GFLOP/s = 2 n^3 / median time',
    machineLine(r.machine),
    `${r.browser} | bundle ${r.bundle.minified} B minified, ${r.bundle.gzip} B gzip | default kernel ${r.defaultKernel} | ${r.options.rounds} samples per cell, kernels interleaved`,
  ].join('\n');
}

export function browserTable(r: BrowserSuiteResult, md = false): string {
  const head = ['n', 'kernel', 'median ms', 'GFLOP/s', 'products (wasm / js counted)', 'vs javascript'];
  const rows = r.rows.map((row) => {
    const js = r.rows.find((x) => x.n === row.n && x.kernel === 'javascript');
    return [String(row.n), row.kernel, row.ms.toFixed(3), row.gflops.toFixed(2), `${row.runs.timed} (${row.runs.wasm} / ${row.runs.javascript})`, js === undefined ? '-' : fmtRatio(js.ms / row.ms)];
  });
  return md ? markdownTable(head, rows, 2) : table(head, rows, 2);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runBrowserBench({ quick: process.argv.includes('--quick') });
  if ('unavailable' in r) console.log(`browser suite skipped: ${r.unavailable}`);
  else {
    console.log(`${browserHeader(r)}\n\n${browserTable(r)}`);
    console.log(`wrote ${writeResult('browser', r)}`);
  }
}
