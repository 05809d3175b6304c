// The playground page in real headless Chromium: built by playground/build.mjs, served by the
// CLI's static server, driven like a user (clicks, keys, file uploads, downloads). The exported
// checkpoint is loaded in Node and compared with the page's outputs and with `halfspace train`.
// HALFSPACE_PLAYGROUND_SHOTS=docs/playground saves a screenshot of each state there.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, arrangement2D, parseCheckpoint } from '../../src/index.js';
import { importSafetensors } from '../../src/io/index.js';
import { diverging, lighten } from '../../src/viz/index.js';
import { loadCheckpoint } from '../../src/node/checkpoint.js';
import { type StaticServer, serveStatic } from '../../src/node/static-server.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.HALFSPACE_PLAYGROUND_SHOTS;
let server: StaticServer;
let browser: Browser;
let page: Page;
let work: string;
const problems: string[] = [];

async function shot(name: string, p: Page = page): Promise<void> {
  if (SHOTS === undefined) return;
  mkdirSync(join(root, SHOTS), { recursive: true });
  await p.evaluate('window.scrollTo(0, 0)');
  await p.screenshot({ path: join(root, SHOTS, `${name}.png`), fullPage: !name.endsWith('-top') });
}

/** Page-side code as strings: this file is compiled without the DOM library. */
const pageNumber = async (expr: string): Promise<number> => Number(await page.evaluate(expr));

async function open(p: Page, hash: string): Promise<void> {
  p.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await p.goto(`${server.url}${hash}`);
  await p.waitForSelector('#regions canvas.base');
}

/** A picture as the page drew it on a plane's canvas (window.playground.picture). */
interface Picture {
  kind: 'exact' | 'sampled';
  size: number;
  pad: number;
  plane: number;
  cells: { index: number; fill: string; hatched: boolean; polygon: [number, number][] }[];
  lines: { layer: number; unit: number; width: number }[];
  label: string;
  pixels: [number, number];
  css: [number, number];
}
const picture = async (p: Page, id = 'regions'): Promise<Picture> => (await p.evaluate(`window.playground.picture(${JSON.stringify(id)})`)) as Picture;

/**
 * The cell whose centroid lies deepest inside it (plane units), with that depth: away from every
 * line and, when deeper than an arrow is long (~20 units), from every arrow.
 */
function innermost(pic: Picture): { cell: Picture['cells'][number]; at: [number, number]; depth: number } {
  let best = { cell: pic.cells[0], at: [0, 0] as [number, number], depth: -Infinity };
  for (const cell of pic.cells) {
    const poly = cell.polygon;
    const cx = poly.reduce((a, q) => a + q[0], 0) / poly.length;
    const cy = poly.reduce((a, q) => a + q[1], 0) / poly.length;
    let depth = Infinity;
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i];
      const [bx, by] = poly[(i + 1) % poly.length];
      depth = Math.min(depth, Math.abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / Math.hypot(bx - ax, by - ay));
    }
    // the box's edges too (cells are clipped to it)
    depth = Math.min(depth, cx - pic.pad, pic.pad + pic.plane - cx, cy - pic.pad, pic.pad + pic.plane - cy);
    if (depth > best.depth) best = { cell, at: [cx, cy], depth };
  }
  return best;
}

/** The canvas pixel at plane point `at` is the cell's fill (RGB exactly, opaque). */
async function expectFillAt(p: Page, pic: Picture, at: [number, number], fill: string, id = 'regions'): Promise<void> {
  const s = pic.pixels[0] / pic.size;
  const rgba = (await p.evaluate(`window.playground.pixel(${JSON.stringify(id)}, ${Math.floor(at[0] * s)}, ${Math.floor(at[1] * s)})`)) as number[];
  const want = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16));
  expect(rgba.slice(0, 3), `pixel at ${at} against ${fill}`).toEqual(want);
  expect(rgba[3]).toBe(255);
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
  work = mkdtempSync(join(tmpdir(), 'halfspace-playground-'));
  // built from the sources into a folder of its own (dist/playground is what `npm run build` made,
  // and another test may be packing it right now)
  execFileSync('node', [join(root, 'playground', 'build.mjs'), join(work, 'site')], { cwd: root, stdio: 'pipe' });
  server = await serveStatic(join(work, 'site'), { port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the playground page', () => {
  it('loads with no console errors and draws the exact region map', async () => {
    // enough epochs that the run cannot finish before the test pauses it, on a fast machine too
    await open(page, '#epochs=5000');
    await page.waitForFunction('window.playground !== undefined && window.playground.frames() > 0');
    expect(await page.title()).toMatch(/halfspace playground/);
    // the canvas shows the arrangement's cells, one polygon each, and says so to a screen reader
    const pic = await picture(page);
    expect(pic.kind).toBe('exact');
    expect(pic.cells.length).toBeGreaterThan(10);
    expect(await page.textContent('#regions-caption')).toContain(`${pic.cells.length} regions (exact polygons)`);
    expect(await page.getAttribute('#regions canvas.base', 'role')).toBe('img');
    expect(pic.label).toMatch(/^exact region map: \d+ regions, \d+ gating lines/);
    // its pixels are the screen's (device pixel ratio 1 here; 2 on the phone below)
    expect(Math.abs(pic.pixels[0] - pic.css[0])).toBeLessThanOrEqual(1);
    expect(await page.evaluate('window.playground.offscreen()')).toBe(true);
    expect(await page.inputValue('#dataset')).toBe('disk');
    expect(page.url()).toContain('#dataset=disk&n=600&noise=0&seed=1&model=dlgn&widths=8%2C8%2C8&beta=10&gate=soft&optimizer=adam&lr=0.01&batch=32&epochs=5000&compare=0');
    await shot('1-loaded-top');
    expect(problems).toEqual([]);
  });

  it('trains a DLGN on the disk past 90% test accuracy, pauses, and the inspector sums the paths to the output', async () => {
    await page.click('#play');
    await page.waitForFunction('Number(document.getElementById("status").dataset.testAccuracy) > 0.9', undefined, { timeout: 30_000 });
    await page.click('#play'); // pause
    await page.waitForFunction('document.getElementById("status").dataset.state === "paused"');
    const epoch = await pageNumber('document.getElementById("status").dataset.epoch');
    expect(epoch).toBeLessThan(5000);
    await page.waitForTimeout(100);
    expect(await pageNumber('document.getElementById("status").dataset.epoch')).toBe(epoch);
    // training goes on until the pause lands (a slice of a frame), so the accuracy shown is the
    // last epoch's, which may have dipped again; it passed 90% on the way
    const shown = await pageNumber('document.getElementById("status").dataset.testAccuracy');
    expect(shown).toBe(await pageNumber('window.playground.runs()[0].curve.at(-1).testAccuracy'));
    expect(await pageNumber('Math.max(...window.playground.runs()[0].curve.map((c) => c.testAccuracy))')).toBeGreaterThan(0.9);
    expect(shown).toBeGreaterThan(0.8);
    // the region count the page shows is the library's: arrangement2D of the exported checkpoint, in Node
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-checkpoint')]);
    const ckpt = join(work, 'paused-checkpoint.json');
    await dl.saveAs(ckpt);
    const box = (await page.evaluate('window.playground.box()')) as { xmin: number; xmax: number; ymin: number; ymax: number };
    const inNode = arrangement2D(loadCheckpoint(ckpt).model, box);
    const pic = await picture(page);
    expect(pic.cells.length).toBe(inNode.cells.length);
    expect(await page.textContent('#regions-caption')).toContain(`${inNode.cells.length} regions (exact polygons), ${inNode.lines.filter((l) => l.segment !== null).length} gating lines`);
    expect(pic.label).toContain(`exact region map: ${inNode.cells.length} regions`);
    // the canvas is painted with the cells' fills: the pixel at the innermost centroid (far from every line and arrow)
    const inner = innermost(pic);
    expect(inner.depth).toBeGreaterThan(20);
    await expectFillAt(page, pic, inner.at, inner.cell.fill);
    // hovering it shows its tooltip (hit-tested against the exact polygons), clicking it opens its pattern
    const css = [(inner.at[0] / pic.size) * pic.css[0], (inner.at[1] / pic.size) * pic.css[1]];
    const cell = inNode.cells[inner.cell.index];
    expect(await page.evaluate(`window.playground.hit('regions', ${css[0]}, ${css[1]})`)).toMatchObject({ kind: 'cell', index: cell.index });
    await page.hover('#regions canvas.base', { position: { x: css[0], y: css[1] } });
    expect(await page.getAttribute('#regions canvas.base', 'title')).toBe(`region ${cell.index}: pattern ${cell.key}, ${cell.activePaths} active paths, hard-gated output [${cell.output.map((o) => o.toFixed(4)).join(', ')}]`);
    await page.click('#regions canvas.base', { position: { x: css[0], y: css[1] } });
    await page.waitForSelector('#inspector td[data-sum]');
    expect(await pageNumber('window.playground.inspection().region.index')).toBe(cell.index);
    expect(await page.textContent('#inspector')).toContain(`Region ${cell.index}: gate pattern ${cell.key} (one digit per unit, layers separated), ${cell.activePaths} active paths`);
    // inspect a point by clicking the map
    await page.click('#regions canvas.base', { position: { x: 150, y: 170 } });
    await page.waitForSelector('#inspector td[data-sum]');
    const sums = (await page.$$eval('#inspector td[data-sum]', (es) => es.map((e) => Number(e.getAttribute('data-sum'))))) as number[];
    const outs = (await page.$$eval('#inspector td[data-output]', (es) => es.map((e) => Number(e.getAttribute('data-output'))))) as number[];
    expect(sums).toHaveLength(2);
    for (let c = 0; c < 2; c++) expect(Math.abs(sums[c] - outs[c])).toBeLessThanOrEqual(1e-12);
    // the displayed output is the model's own forward pass at that point
    const forward = (await page.evaluate('(() => { const i = window.playground.inspection(); const m = window.playground.runs()[0].model; return Array.from(m.forward(new (m.parameters()[0].value.constructor)(Float64Array.from(i.point), [1, 2])).value.values()); })()')) as number[];
    expect(forward).toEqual(outs);
    expect(await page.locator('#inspector table.paths tbody tr').count()).toBe(8);
    // selecting a path highlights its half-spaces (thick lines) and its active cells (hatched)
    // (the path whose half-spaces have the most lines inside the view: a line outside it is ON or OFF everywhere)
    const pick = (await page.evaluate(`(() => {
      const ins = window.playground.inspection();
      const shown = new Set(window.playground.picture('regions').lines.map((l) => l.layer + ':' + l.unit));
      const counts = ins.constraints.map((cs) => cs.filter((c) => shown.has(c.layer + ':' + c.unit)).length);
      const i = counts.indexOf(Math.max(...counts));
      return [i, counts[i]];
    })()`)) as [number, number];
    expect(pick[1]).toBeGreaterThan(0);
    await page.click(`#inspector .path-btn[data-path="${pick[0]}"]`);
    await page.waitForFunction(`window.playground.picture('regions').lines.filter((l) => l.width === 4).length === ${pick[1]}`);
    // on the decision map too
    expect((await picture(page, 'decision')).lines.filter((l) => l.width === 4)).toHaveLength(pick[1]);
    expect(await page.getAttribute(`#inspector .path-btn[data-path="${pick[0]}"]`, 'aria-pressed')).toBe('true');
    // and its active region (every one of its gates ON) is hatched
    // (the cells where all of its half-spaces hold, by the library's patterns)
    const cons = (await page.evaluate(`window.playground.inspection().constraints[${pick[0]}]`)) as { layer: number; unit: number }[];
    const hatched = (await picture(page)).cells.filter((c) => c.hatched).map((c) => c.index);
    const arr = (await page.evaluate('window.playground.arrangement().cells.map((c) => c.pattern)')) as number[][][];
    expect(hatched.length).toBeGreaterThan(0);
    expect(hatched).toEqual(arr.flatMap((pat, i) => (cons.every((c) => pat[c.layer - 1][c.unit] === 1) ? [i] : [])));
    await shot('2-trained-inspector');
    expect(problems).toEqual([]);
  }, 45_000);

  it('clicking adds a point of the chosen class; the keyboard does it too', async () => {
    const before = await pageNumber('window.playground.data().x.length');
    await page.check('input[name="clickmode"][value="add1"]');
    await page.click('#regions canvas.base', { position: { x: 60, y: 60 } });
    expect(await pageNumber('window.playground.data().x.length')).toBe(before + 1);
    expect(await pageNumber('window.playground.data().labels.at(-1)')).toBe(1);
    expect(await page.textContent('#message')).toContain(`Added a point (${before} → ${before + 1})`);
    expect(await page.textContent('#data-summary')).toContain('edited');
    // keyboard: focus the map, move the cross, Enter adds class 0 there
    await page.check('input[name="clickmode"][value="add0"]');
    await page.focus('#regions');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    expect(await pageNumber('window.playground.data().x.length')).toBe(before + 2);
    expect(await pageNumber('window.playground.data().labels.at(-1)')).toBe(0);
    await page.check('input[name="clickmode"][value="remove"]');
    await page.focus('#regions');
    await page.keyboard.press('Enter');
    expect(await pageNumber('window.playground.data().x.length')).toBe(before + 1);
    await page.check('input[name="clickmode"][value="inspect"]');
  });

  it('loads a CSV, refuses bad ones with a readable message and keeps the data', async () => {
    const rows = ['x1,x2,label'];
    for (let i = 0; i < 40; i++) rows.push(`${(Math.cos(i) * 2).toFixed(3)},${(Math.sin(i * 1.3) * 2).toFixed(3)},${i % 2}`);
    await page.setInputFiles('#csv', { name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction('window.playground.data().x.length === 40');
    expect(await page.textContent('#message')).toBe('Loaded mine.csv: 40 points.');
    expect(await page.textContent('#data-summary')).toContain('mine.csv (40 rows): 40 points');
    await shot('3-csv-loaded');
    const bad: [string, string, string][] = [
      ['ragged.csv', 'x1,x2,label\n0,0,1\n1,1\n', 'Could not load ragged.csv: line 3 has 2 columns, expected 3. The previous data is kept.'],
      ['words.csv', 'x1,x2,label\n0,0,1\n1,abc,0\n', "Could not load words.csv: line 3, column 2 (x2): 'abc' is not a finite number. The previous data is kept."],
      ['oneclass.csv', 'x1,x2,label\n0,0,1\n1,1,1\n2,2,1\n3,3,1\n4,4,1\n', 'Could not load oneclass.csv: every row has label 1; a classifier needs both classes. The previous data is kept.'],
    ];
    for (const [name, text, message] of bad) {
      await page.setInputFiles('#csv', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.waitForFunction(`document.getElementById("message").textContent.includes(${JSON.stringify(name)})`);
      expect(await page.textContent('#message')).toBe(message);
      expect(await page.getAttribute('#message', 'class')).toBe('message error');
      expect(await pageNumber('window.playground.data().x.length')).toBe(40);
    }
    await shot('4-bad-csv-top');
    expect(problems).toEqual([]);
  });

  it('exports a checkpoint that loads in Node with the same outputs, and trains the numbers `halfspace train` trains', async () => {
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await open(p2, '#dataset=xor&n=300&noise=0.05&seed=3&model=dlgn&widths=6,6&beta=10&gate=soft&optimizer=adam&lr=0.02&batch=30&epochs=6&compare=1');
    expect(await p2.inputValue('#model')).toBe('dlgn');
    expect(await p2.isChecked('#compare-relu')).toBe(true);
    // step twice, then play to the end: pauses must not change a number
    await p2.click('#step');
    await p2.waitForFunction('document.getElementById("status").dataset.epoch === "1" && document.getElementById("status").dataset.state === "paused"');
    await p2.click('#step');
    await p2.waitForFunction('document.getElementById("status").dataset.epoch === "2" && document.getElementById("status").dataset.state === "paused"');
    await p2.click('#play');
    await p2.waitForFunction('document.getElementById("status").dataset.state === "done" && window.playground.runs()[1].state === "done"');
    await p2.waitForFunction('!document.getElementById("compare-panel").hidden');
    await shot('5-xor-with-relu', p2);
    const [download] = await Promise.all([p2.waitForEvent('download'), p2.click('#export-checkpoint')]);
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('dlgn-checkpoint.json');
    const { model, meta } = loadCheckpoint(file);
    expect(meta.seed).toBe(3);
    expect(meta.data).toEqual({ dataset: 'xor', n: 300, noise: 0.05, seed: 3, split: [0.6, 0.2, 0.2] });

    // the same outputs as the page's model on a grid of points
    const grid: number[] = [];
    for (let i = 0; i < 11; i++) for (let j = 0; j < 11; j++) grid.push(-1 + 0.2 * i, -1 + 0.2 * j);
    const inPage = (await p2.evaluate(`(() => { const m = window.playground.runs()[0].model; const T = m.parameters()[0].value.constructor; return Array.from(m.forward(new T(Float64Array.from(${JSON.stringify(grid)}), [121, 2])).value.values()); })()`)) as number[];
    const inNode = Array.from(model.forward(new Tensor(Float64Array.from(grid), [121, 2])).value.values());
    expect(inNode).toEqual(inPage);

    // the command line the page shows trains the same weights, bit for bit
    const cli = (await p2.textContent('#cli'))!;
    expect(cli).toBe('npx halfspace train --model dlgn --dataset xor --n 300 --noise 0.05 --seed 3 --widths 6,6 --beta 10 --gate soft --epochs 6 --batch 30 --optimizer adam --lr 0.02 --out run');
    const args = cli.replace(/^npx halfspace /, '').replace(/--out run$/, `--out ${join(work, 'cli')} --quiet`).split(' ');
    execFileSync('node', [join(root, 'bin', 'halfspace.js'), ...args], { cwd: root, stdio: 'pipe' });
    const fromCli = parseCheckpoint(readFileSync(join(work, 'cli', 'model.json'), 'utf8')).model.stateDict();
    const fromPage = model.stateDict();
    expect(Object.keys(fromPage)).toEqual(Object.keys(fromCli));
    for (const k of Object.keys(fromCli)) expect(Array.from(fromPage[k].values()), k).toEqual(Array.from(fromCli[k].values()));

    // safetensors: the same parameters
    const [st] = await Promise.all([p2.waitForEvent('download'), p2.click('#export-safetensors')]);
    const stFile = join(work, 'model.safetensors');
    await st.saveAs(stFile);
    expect(st.suggestedFilename()).toBe('dlgn.safetensors');
    const imported = importSafetensors(new Uint8Array(readFileSync(stFile))).model.stateDict();
    for (const k of Object.keys(fromPage)) expect(Array.from(imported[k].values()), k).toEqual(Array.from(fromPage[k].values()));

    // the other exports: data CSV and the library's SVG figures
    const [csv] = await Promise.all([p2.waitForEvent('download'), p2.click('#export-csv')]);
    const csvFile = join(work, 'data.csv');
    await csv.saveAs(csvFile);
    const csvText = readFileSync(csvFile, 'utf8');
    expect(csvText.split('\n')[0]).toBe('x1,x2,label');
    expect(csvText.trim().split('\n')).toHaveLength(301);
    const [svg] = await Promise.all([p2.waitForEvent('download'), p2.click('#export-regions')]);
    const svgFile = join(work, 'regions.svg');
    await svg.saveAs(svgFile);
    const svgText = readFileSync(svgFile, 'utf8');
    expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toMatch(/DLGN 2-\[6,6\]-2: \d+ regions/);
    await p2.close();
    expect(problems).toEqual([]);
  }, 45_000);

  it('is legible on a phone-sized screen and at 1280 x 800: nothing wider than the viewport', async () => {
    for (const [w, h] of [[390, 844], [1280, 800]] as const) {
      // a phone's screen has 2 or 3 device pixels per CSS pixel
      const dpr = w < 500 ? 2 : 1;
      const p3 = await browser.newPage({ viewport: { width: w, height: h }, deviceScaleFactor: dpr });
      await open(p3, '#model=relu&widths=8,8');
      await p3.waitForFunction('window.playground.picture("regions") !== null');
      const pic = await picture(p3);
      expect(pic.kind).toBe('sampled');
      expect(pic.label).toMatch(/^sampled decision map of ReLU/);
      // the canvas's backing store follows the device pixels, so it stays sharp
      await p3.waitForFunction(`Math.abs(window.playground.picture("regions").pixels[0] - ${dpr} * window.playground.picture("regions").css[0]) <= 1`);
      expect(await p3.inputValue('#model')).toBe('relu');
      expect(await p3.isDisabled('#beta')).toBe(true);
      expect(await p3.textContent('#regions-caption')).toContain('ReLU has no gating half-spaces: sampled decision map');
      expect(await p3.textContent('#regions-title')).toBe('Decision map (sampled): ReLU');
      expect(await p3.isHidden('#decision-panel')).toBe(true);
      const scroll = (await p3.evaluate('document.documentElement.scrollWidth')) as number;
      expect(scroll).toBeLessThanOrEqual(w);
      if (w < 500) await shot('6-phone', p3);
      await p3.close();
    }
    expect(problems).toEqual([]);
  });

  it('paints on the main thread where there is no OffscreenCanvas (?paint=main), the same pictures', async () => {
    const p5 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await open(p5, '?paint=main#epochs=5000');
    await p5.waitForFunction('window.playground !== undefined && window.playground.frames() > 0');
    expect(await p5.evaluate('window.playground.offscreen()')).toBe(false);
    const pic = await picture(p5);
    expect(pic.cells.length).toBeGreaterThan(10);
    expect(await p5.textContent('#regions-caption')).toContain(`${pic.cells.length} regions (exact polygons)`);
    const inner = innermost(pic);
    expect(inner.depth).toBeGreaterThan(20);
    await expectFillAt(p5, pic, inner.at, inner.cell.fill);
    // and the sampled decision map's pixels are the model's P(class 1) through the colour table
    const dec = await picture(p5, 'decision');
    expect(dec.kind).toBe('sampled');
    const G = 48;
    for (const [r, c] of [[5, 7], [24, 24], [40, 31]]) {
      const [x1, x2, prob] = (await p5.evaluate(`(() => {
        const b = window.playground.box(), m = window.playground.runs()[0].model, G = ${G};
        const x1 = b.xmin + ((${c} + 0.5) / G) * (b.xmax - b.xmin), x2 = b.ymax - ((${r} + 0.5) / G) * (b.ymax - b.ymin);
        const o = m.forward(new (m.parameters()[0].value.constructor)(Float64Array.from([x1, x2]), [1, 2])).value.values();
        return [x1, x2, 1 / (1 + Math.exp(o[0] - o[1]))];
      })()`)) as number[];
      const s = dec.pixels[0] / dec.size;
      const at = [dec.pad + ((c + 0.5) / G) * dec.plane, dec.pad + ((r + 0.5) / G) * dec.plane];
      const rgba = (await p5.evaluate(`window.playground.pixel('decision', ${Math.floor(at[0] * s)}, ${Math.floor(at[1] * s)})`)) as number[];
      const want = lighten(diverging(prob), 0.3);
      for (let k = 0; k < 3; k++) expect(Math.abs(rgba[k] - parseInt(want.slice(1 + 2 * k, 3 + 2 * k), 16)), `decision map at (${x1}, ${x2})`).toBeLessThanOrEqual(1);
    }
    await p5.close();
    expect(problems).toEqual([]);
  });

  it('reports a mangled link and opens with the defaults for what it could not read', async () => {
    const p4 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await open(p4, '#model=cnn&epochs=0');
    expect(await p4.textContent('#message')).toBe(
      "Some settings in the link were not understood and have their defaults: model=cnn: model must be one of dlgn, dlgn-sf, relu, linear, got 'cnn'; epochs=0: epochs must be an integer in 1..100000, got 0",
    );
    expect(await p4.inputValue('#model')).toBe('dlgn');
    expect(p4.url()).toContain('&epochs=100&');
    await p4.close();
  });
});

describe('halfspace playground', () => {
  it('serves the page, prints its URL, and says so clearly when the port is taken', async () => {
    const child = spawn('node', [join(root, 'bin', 'halfspace.js'), 'playground', '--port', '0'], { cwd: root });
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) ok(m[0]);
      });
      child.on('exit', (code) => fail(new Error(`exited ${code}: ${out}`)));
    });
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(readFileSync(join(root, 'dist', 'playground', 'index.html'), 'utf8'));
      expect((await fetch(`${url}playground.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await fetch(`${url}..%2Fpackage.json`)).status).toBe(403);
      expect((await fetch(`${url}nope.js`)).status).toBe(404);
      const port = new URL(url).port;
      let stderr = '';
      let code = 0;
      try {
        execFileSync('node', [join(root, 'bin', 'halfspace.js'), 'playground', '--port', port], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
      } catch (e) {
        stderr = (e as { stderr: string }).stderr;
        code = (e as { status: number }).status;
      }
      expect(code).toBe(1);
      expect(stderr).toBe(`halfspace playground: port ${port} on 127.0.0.1 is already in use; choose another with --port N (--port 0 picks a free one)\n`);
    } finally {
      child.kill('SIGINT');
      await new Promise((ok) => child.once('exit', ok));
    }
    expect(child.exitCode).toBe(0);
  }, 20_000);
});
