// The playground's logic in Node: settings in the hash, data editing, CSV checks, the run's
// play/pause/step against an uninterrupted `fit`, and the inspector's identity.

import { describe, expect, it } from 'vitest';
import { createModel, disk, fit, split } from '../../src/index.js';
import {
  DEFAULTS,
  Run,
  type Settings,
  addPoint,
  boxFor,
  builtinData,
  cliCommand,
  csvData,
  dataToCsv,
  inspect,
  arrangementOf,
  modelConfig,
  removeNear,
  settingsFromHash,
  settingsToHash,
  splitData,
} from '../../playground/src/logic.js';

const small: Settings = { ...DEFAULTS, n: 200, widths: [4, 4], epochs: 4, batch: 25 };

describe('settings in the URL hash', () => {
  it('round-trip every field', () => {
    const s: Settings = { dataset: 'spirals', n: 350, noise: 0.1, seed: 7, model: 'dlgn-sf', widths: [6, 5, 4], beta: 3, gate: 'hard', optimizer: 'sgd', lr: 0.05, batch: 16, epochs: 40, compare: true };
    const h = settingsToHash(s);
    expect(h).toBe('#dataset=spirals&n=350&noise=0.1&seed=7&model=dlgn-sf&widths=6%2C5%2C4&beta=3&gate=hard&optimizer=sgd&lr=0.05&batch=16&epochs=40&compare=1');
    expect(settingsFromHash(h)).toEqual({ settings: s, problems: [] });
  });

  it('keep the defaults for missing keys and report bad values by name, keeping the rest', () => {
    const { settings, problems } = settingsFromHash('#model=cnn&widths=8,0&lr=abc&n=300&extra=1');
    expect(settings).toEqual({ ...DEFAULTS, n: 300 });
    expect(problems).toEqual([
      "model=cnn: model must be one of dlgn, dlgn-sf, relu, linear, got 'cnn'",
      'widths=8,0: width of layer 2 must be an integer in 1..64, got 0',
      "lr=abc: 'abc' is not a number",
    ]);
  });
});

describe('data', () => {
  it('is the data set the CLI generates, and edits mark it as no longer built-in', () => {
    const d = builtinData(small);
    const ref = disk({ n: 200, noise: 0, seed: 1 });
    expect(Float64Array.from(d.x.flatMap((x, i) => [x, d.y[i]]))).toEqual(ref.x.values());
    expect(Float64Array.from(d.labels)).toEqual(ref.y.values());
    const more = addPoint(d, 0.5, -0.25, 1);
    expect(more.x.length).toBe(201);
    expect([more.x[200], more.y[200], more.labels[200]]).toEqual([0.5, -0.25, 1]);
    expect(more.builtin).toBeNull();
    expect(more.source).toMatch(/, edited$/);
    expect(d.x.length).toBe(200); // the original is not changed
    const less = removeNear(more, 0.5 + 1e-3, -0.25, 0.01);
    expect(less.x.length).toBe(200);
    expect(less.x).not.toContain(0.5);
    expect(removeNear(d, 5, 5, 0.01)).toBe(d); // nothing there: the same object back
  });

  it('CSV: reads x1, x2, label (any column order with a label header) and writes it back', () => {
    const d = csvData('label,a,b\n1,0.5,0.25\n0,-1,2\n1,3,4\n0,0,0\n1,1,1\n', 'mine.csv');
    expect(d.x).toEqual([0.5, -1, 3, 0, 1]);
    expect(d.y).toEqual([0.25, 2, 4, 0, 1]);
    expect(d.labels).toEqual([1, 0, 1, 0, 1]);
    expect(d.source).toBe('mine.csv (5 rows)');
    const again = csvData(dataToCsv(d), 'again.csv');
    expect([again.x, again.y, again.labels]).toEqual([d.x, d.y, d.labels]);
  });

  it('CSV: ragged, non-numeric, one-class, three-column and multi-class files are refused with a readable message', () => {
    const bad: [string, string][] = [
      ['x1,x2,label\n0,0,1\n1,1\n', 'bad.csv: line 3 has 2 columns, expected 3'],
      ['x1,x2,label\n0,0,1\n1,abc,0\n', "bad.csv: line 3, column 2 (x2): 'abc' is not a finite number"],
      ['x1,x2,label\n0,0,1\n1,1,1\n2,2,1\n3,3,1\n4,4,1\n', 'bad.csv: every row has label 1; a classifier needs both classes'],
      ['a,b,c,label\n0,0,0,1\n1,1,1,0\n', 'bad.csv: the playground needs exactly two feature columns and a label, found 3 feature columns (a, b, c)'],
      ['x1,x2,label\n0,0,1\n1,1,2\n', 'bad.csv: labels must be 0 or 1; row 2 has label 2'],
      ['', 'bad.csv: no data rows'],
    ];
    for (const [text, message] of bad) expect(() => csvData(text, 'bad.csv')).toThrow(message);
  });

  it('the box holds [-1, 1]^2 and every point', () => {
    const d = csvData('x1,x2,label\n-3,0,1\n5,1,0\n0,0,0\n1,1,1\n2,2,1\n', 'wide.csv');
    const b = boxFor(d);
    expect(b.xmin).toBeLessThan(-3);
    expect(b.xmax).toBeGreaterThan(5);
    expect(b.xmax - b.xmin).toBeCloseTo(b.ymax - b.ymin, 12);
  });
});

describe('a run', () => {
  it('paused, stepped and resumed gives the weights of an uninterrupted fit with the CLI options, bit for bit', async () => {
    const d = builtinData(small);
    const splits = splitData(d, small.seed);
    const updates: number[] = [];
    const r = new Run('dlgn', small, splits, (x) => updates.push(x.epochsDone));
    r.step();
    while (r.epochsDone < 1 || r.state !== 'paused') await new Promise((ok) => setTimeout(ok, 1));
    expect(r.epochsDone).toBe(1);
    r.play();
    r.pause();
    while (r.state !== 'paused') await new Promise((ok) => setTimeout(ok, 1));
    r.step();
    await new Promise((ok) => setTimeout(ok, 5));
    r.play();
    await r.whenFinished();
    expect(r.state).toBe('done');
    expect(r.epochsDone).toBe(4);
    expect(r.curve.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);
    expect(updates.length).toBeGreaterThan(4);

    // what `halfspace train` does (src/cli/commands/train.ts), written out
    const data = disk({ n: 200, noise: 0, seed: 1 });
    const s = split(data, [0.6, 0.2, 0.2], 2);
    const ref = createModel(modelConfig('dlgn', small), { rng: 1 });
    const h = fit(ref, s.train, { loss: 'ce', epochs: 4, batchSize: 25, optimizer: 'adam', lr: 0.01, seed: 1, validation: s.validation });
    expect(r.history.map((e) => e.loss)).toEqual(h.epochs.map((e) => e.loss));
    const a = r.model.stateDict();
    const b = ref.stateDict();
    for (const k of Object.keys(b)) expect(Array.from(a[k].values()), k).toEqual(Array.from(b[k].values()));
    expect(cliCommand(small, 'dlgn', d, 4)).toBe('npx halfspace train --model dlgn --dataset disk --n 200 --noise 0 --seed 1 --widths 4,4 --beta 10 --gate soft --epochs 4 --batch 25 --optimizer adam --lr 0.01 --out run');
  });

  it('held between steps by its pace callback, trains to the same weights as without', async () => {
    const d = builtinData(small);
    const free = new Run('dlgn', small, splitData(d, small.seed), () => {});
    let held = 0;
    const paced = new Run('dlgn', small, splitData(d, small.seed), () => {}, () => {
      // every third step, wait for a timer (as the page waits for the next frame)
      if (paced.steps % 3 !== 0) return undefined;
      held++;
      return new Promise<void>((ok) => setTimeout(ok, 0));
    });
    free.play();
    paced.play();
    await Promise.all([free.whenFinished(), paced.whenFinished()]);
    expect(paced.state).toBe('done');
    expect(held).toBe(Math.floor(paced.steps / 3));
    expect(paced.steps).toBe(free.steps);
    expect(paced.history.map((e) => e.loss)).toEqual(free.history.map((e) => e.loss));
    const a = paced.model.stateDict();
    const b = free.model.stateDict();
    for (const k of Object.keys(b)) expect(Array.from(a[k].values()), k).toEqual(Array.from(b[k].values()));
  });

  it('dispose stops a paused run', async () => {
    const r = new Run('relu', small, splitData(builtinData(small), 1), () => {});
    r.step();
    while (r.state !== 'paused') await new Promise((ok) => setTimeout(ok, 1));
    r.dispose();
    await r.whenFinished();
    expect(r.state).toBe('stopped');
    expect(r.epochsDone).toBe(1);
  });
});

describe('the inspector', () => {
  it('sums every path to the output, lists the top paths with their half-spaces and the region', () => {
    const s: Settings = { ...small, widths: [5, 4, 3] };
    const model = createModel(modelConfig('dlgn', s), { rng: 3 });
    const box = boxFor(builtinData(s));
    const ins = inspect(model, [0.3, -0.2], 6, arrangementOf(model, box));
    expect(ins.pathCount).toBe(2 * 60 + 60 + 12 + 3 + 1);
    for (let c = 0; c < 2; c++) expect(Math.abs(ins.sum![c] - ins.output[c])).toBeLessThan(1e-12);
    expect(ins.top).toHaveLength(6);
    const mags = ins.top.map((p) => Math.max(...Array.from(p.contribution, Math.abs)));
    expect(mags).toEqual([...mags].sort((a, b) => b - a));
    // a path from input visits one unit per layer: three half-spaces
    ins.top.forEach((p, i) => expect(ins.constraints[i].length).toBe(p.id[0] === 0 ? 3 : p.id[0] === 4 ? 0 : 4 - p.id[0]));
    expect(ins.region).not.toBeNull();
    expect(ins.region!.polygon.length).toBeGreaterThanOrEqual(3);
  });

  it('works for a ReLU net too (no half-spaces, no region)', () => {
    const model = createModel(modelConfig('relu', small), { rng: 3 });
    const ins = inspect(model, [0.1, 0.9], 4, arrangementOf(model, boxFor(builtinData(small))));
    for (let c = 0; c < 2; c++) expect(Math.abs(ins.sum![c] - ins.output[c])).toBeLessThan(1e-12);
    expect(ins.constraints.every((c) => c.length === 0)).toBe(true);
    expect(ins.region).toBeNull();
  });
});
