// The playground while it trains, in headless Chromium: optimiser steps per second, and how long
// a redraw takes (exact region map by arrangement2D painted on its canvas, sampled maps, curves,
// inspector) for a
// 2-[8,8,8]-2 DLGN on the disk, with frames per second over the run. A measurement, not a test.
//
//   npm run build && node --import tsx bench/playground.bench.ts [--seconds 8]
//
// Writes bench/results/playground.json and prints one table.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { playgroundDir } from '../src/cli/commands/playground.js';
import { serveStatic } from '../src/node/static-server.js';
import { BENCH_DIR, machineInfo, machineLine, writeResult } from './common.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const argv = process.argv.slice(2);
const seconds = argv.includes('--seconds') ? Number(argv[argv.indexOf('--seconds') + 1]) : 8;
if (!(seconds > 0)) throw new Error(`playground bench: --seconds must be > 0, got ${seconds}`);

execFileSync('node', [join(BENCH_DIR, '..', 'playground', 'build.mjs')], { stdio: 'pipe' });
const server = await serveStatic(playgroundDir(), { port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // epochs high enough that the run outlasts the measurement
  await page.goto(`${server.url}#dataset=disk&n=600&noise=0&seed=1&model=dlgn&widths=8,8,8&beta=10&gate=soft&optimizer=adam&lr=0.01&batch=32&epochs=100000&compare=0`);
  await page.waitForFunction('window.playground !== undefined && window.playground.frames() > 0');
  // an inspected point, so every redraw recomputes the inspector too
  await page.click('#regions canvas.base', { position: { x: 150, y: 170 } });
  await page.click('#play');
  await page.waitForTimeout(1000); // warm-up
  const read = (): Promise<{ steps: number; frames: number; t: number }> =>
    page.evaluate('({ steps: window.playground.runs()[0].steps, frames: window.playground.frames(), t: performance.now() })') as Promise<{ steps: number; frames: number; t: number }>;
  const a = await read();
  await page.waitForTimeout(seconds * 1000);
  const b = await read();
  const draws = ((await page.evaluate('window.playground.drawTimes()')) as number[]).sort((x, y) => x - y);
  const regions = ((await page.evaluate('window.playground.regionTimes()')) as number[]).sort((x, y) => x - y);
  const parts = (await page.evaluate('window.playground.partTimes()')) as Record<string, number[]>;
  const cells = (await page.evaluate('window.playground.picture("regions").cells.length')) as number;
  const wall = (b.t - a.t) / 1000;
  const quantile = (v: number[], p: number): number => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  const q = (p: number): number => quantile(draws, p);
  const result = {
    machine: machineInfo(),
    chromium: browser.version(),
    model: 'DLGN 2-[8,8,8]-2, disk n=600, batch 32',
    seconds: wall,
    stepsPerSecond: (b.steps - a.steps) / wall,
    framesPerSecond: (b.frames - a.frames) / wall,
    redrawMs: { median: q(0.5), p90: q(0.9), max: draws[draws.length - 1], samples: draws.length },
    regionMapMs: { median: quantile(regions, 0.5), p90: quantile(regions, 0.9), max: regions[regions.length - 1], samples: regions.length },
    /** Each part of a redraw: median and 90th percentile ms, and how many times it ran in the last 200 redraws. */
    partsMs: Object.fromEntries(
      Object.entries(parts).map(([k, v]) => {
        const s = v.slice().sort((x, y) => x - y);
        return [k, { median: quantile(s, 0.5), p90: quantile(s, 0.9), samples: s.length }];
      }),
    ),
    regions: cells,
  };
  writeResult('playground', result);
  console.log(machineLine(result.machine));
  console.log(`Chromium ${result.chromium}, ${result.model}, ${wall.toFixed(1)} s while training:`);
  console.log('| steps/s | frames/s | region map median ms | region map p90 ms | whole redraw median ms | whole redraw p90 ms | regions at the end |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${result.stepsPerSecond.toFixed(0)} | ${result.framesPerSecond.toFixed(1)} | ${result.regionMapMs.median.toFixed(1)} | ${result.regionMapMs.p90.toFixed(1)} | ${q(0.5).toFixed(1)} | ${q(0.9).toFixed(1)} | ${cells} |`,
  );
  console.log(`parts of a redraw (median ms): ${Object.entries(result.partsMs).map(([k, v]) => `${k} ${v.median.toFixed(1)}`).join(', ')}`);
} finally {
  await browser.close();
  await server.close();
}
