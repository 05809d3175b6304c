// The CLI under careless and hostile use: outputs checked before training, divergence kept and
// reported, stale temp files cleaned, size guards that refuse before any work, short errors.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cli } from '../helpers/cli.js';
import { createModel } from '../../src/models/families.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint.js';


let tmp: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first (`npm test` does)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-hard-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const quick = ['--dataset', 'disk', '--n', '200', '--epochs', '2', '--widths', '4,4', '--quiet'];

describe('train --out is checked before training', () => {
  it('a path under /proc fails at once (no recursive mkdir hang), before any epoch', () => {
    const r = cli('train', ...quick, '--epochs', '1000', '--out', '/proc/halfspace-nope/run');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("halfspace train: --out '/proc/halfspace-nope/run': cannot create '/proc/halfspace-nope' (ENOENT)\n");
    expect(r.stdout).toBe('');
  });

  it('an existing file, a parent that is a file, a model.json that is a directory', () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'keep me');
    let r = cli('train', ...quick, '--epochs', '1000', '--out', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`halfspace train: --out '${file}': '${file}' exists and is not a directory\n`);
    r = cli('train', ...quick, '--out', path.join(file, 'sub'));
    expect(r.stderr).toBe(`halfspace train: --out '${path.join(file, 'sub')}': '${file}' exists and is not a directory\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    const dir = path.join(tmp, 'dir-model');
    fs.mkdirSync(path.join(dir, 'model.json'), { recursive: true });
    r = cli('train', ...quick, '--epochs', '1000', '--out', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`halfspace train: --out '${dir}': '${path.join(dir, 'model.json')}' exists and is not a regular file\n`);
  });

  it('creates missing parents one level at a time', () => {
    const out = path.join(tmp, 'deep', 'er', 'run');
    const r = cli('train', ...quick, '--out', out);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['metrics.json', 'model.json']);
  });
});

describe('train: atomic, consistent outputs', () => {
  it("metrics.json carries the SHA-256 of its model.json; stale temps of dead writers go, a live writer's stay", () => {
    const out = path.join(tmp, 'atomic');
    fs.mkdirSync(out);
    // pid 99999999 is above Linux's pid_max, so never a live process
    const stale = ['model.json.99999999.abcdefgh.tmp', 'metrics.json.99999999.00000000.tmp'];
    const live = `model.json.${process.pid}.livelive.tmp`;
    const other = 'notes.99999999.abcdefgh.tmp';
    for (const f of [...stale, live, other]) fs.writeFileSync(path.join(out, f), 'partial');
    const r = cli('train', ...quick, '--out', out);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['metrics.json', 'model.json', live, other].sort());
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    const sha = createHash('sha256').update(fs.readFileSync(path.join(out, 'model.json'))).digest('hex');
    expect(metrics.checkpointSha256).toBe(sha);
    expect(metrics.stopped).toBe('completed');
    expect(metrics.weights).toBe('final');
    expect(metrics.divergence).toBeNull();
  });
});

describe('train: divergence stops, keeps and saves the last good weights, exits 1', () => {
  it('a finite blow-up (adam, lr 1e6) is caught, not written as a trained model with exit 0', () => {
    const out = path.join(tmp, 'diverge');
    const r = cli('train', ...quick, '--epochs', '20', '--optimizer', 'adam', '--lr', '1e6', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^halfspace train: training diverged: loss exploded to \S+ at epoch \d+, batch \d+ \(over maxLossGrowth 1000000 x the first batch loss \S+\); weights restored to the last step before it\n/);
    expect(r.stderr).toContain(`saved the last good weights (after `);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.stopped).toBe('diverged');
    expect(metrics.weights).toBe('last-good');
    expect(metrics.divergence.reason).toBe('exploding-loss');
    expect(Number(metrics.divergence.loss)).toBeGreaterThan(1e6 * 0.5);
    // the saved weights are finite and their loss is the one metrics.json reports
    const { model } = loadCheckpoint(path.join(out, 'model.json'));
    for (const [, p] of model.namedParameters()) for (const v of p.value.values()) expect(Number.isFinite(v)).toBe(true);
    expect(Number.isFinite(metrics.final.train.loss)).toBe(true);
    expect(metrics.final.train.loss).toBeLessThan(10);
    const sha = createHash('sha256').update(fs.readFileSync(path.join(out, 'model.json'))).digest('hex');
    expect(metrics.checkpointSha256).toBe(sha);
  });

  it('--max-loss-growth is checked', () => {
    expect(cli('train', ...quick, '--max-loss-growth', '1', '--out', path.join(tmp, 'g')).stderr).toMatch(/--max-loss-growth must be a number > 1, got '1'/);
  });
});

describe('flags: empty and garbage numbers refused', () => {
  it.each([
    ['--lr', ''],
    ['--lr', ' '],
    ['--lr', 'abc'],
    ['--lr', 'NaN'],
    ['--lr', 'Infinity'],
    ['--epochs', '1.5'],
    ['--epochs', '0x10'],
    ['--batch', '-1'],
    ['--seed', '1e400'],
    ['--widths', ''],
    ['--widths', '4,,4'],
    ['--widths', '4,0'],
    ['--beta', '0'],
    ['--n', '1e9'],
    ['--noise', '-0.1'],
  ])('%s %j', (flag, value) => {
    const r = cli('train', '--dataset', 'disk', '--out', path.join(tmp, 'never'), flag, value);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^halfspace train: ${flag.replace(/-/g, '\\-')} `));
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('size guards refuse before any work', () => {
  let ckpt: string;
  let wide: string;
  beforeAll(() => {
    ckpt = path.join(tmp, 'deep.json');
    saveCheckpoint(ckpt, createModel({ kind: 'dlgn', inputDim: 2, widths: [64, 64, 64, 64], outputDim: 2 }, { rng: 1 }));
    wide = path.join(tmp, 'wide.json');
    saveCheckpoint(wide, createModel({ kind: 'dlgn', inputDim: 2, widths: [200, 100], outputDim: 2 }, { rng: 1 }));
  });

  it('paths --top over 1000', () => {
    const r = cli('paths', '--checkpoint', ckpt, '--x', '0.3,-0.2', '--top', '1000000000');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^halfspace paths: --top 1000000000 is over the cap of 1000 /);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('regions on more gating lines than --max-lines, and how to lift it', () => {
    const svg = path.join(tmp, 'r.svg');
    let r = cli('regions', '--checkpoint', wide, '--svg', svg, '--quiet');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `halfspace regions: ${wide}: the model has 300 gating lines, over the cap of 256 (regions grow as the square of the lines: ` +
        '512 lines make ~42,000 regions in ~16 s); raise --max-lines to draw it anyway\n',
    );
    expect(fs.existsSync(svg)).toBe(false);
    r = cli('regions', '--checkpoint', wide, '--svg', svg, '--quiet', '--max-lines', '300', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).lines).toBe(300);
  });

  it('a huge CSV label is refused by --max-classes, a widths flag by --max-parameters', () => {
    const csv = path.join(tmp, 'labels.csv');
    fs.writeFileSync(csv, 'a,b,label\n0.1,0.2,0\n0.3,0.4,10000000\n');
    let r = cli('train', '--data', csv, '--out', path.join(tmp, 'never2'), '--quiet');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/label 10000000 would make 10000001 classes .*over the cap of 10000; .*--max-classes/);
    r = cli('train', '--dataset', 'disk', '--widths', '20000,20000', '--out', path.join(tmp, 'never2'), '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/has 800\d+ parameters \(\d+ MiB\), over the cap of 67108864; raise --max-parameters to allow it/);
    expect(fs.existsSync(path.join(tmp, 'never2'))).toBe(false);
  });

  it('a header-less CSV whose first row has a typo is an error, not a dropped row', () => {
    const csv = path.join(tmp, 'typo.csv');
    fs.writeFileSync(csv, '0.1,0.2x,0\n0.3,0.4,1\n0.5,0.6,0\n');
    const r = cli('train', '--data', csv, '--out', path.join(tmp, 'never3'), '--quiet');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/typo\.csv: line 1 mixes numbers and text \(column 2: '0\.2x' is not a finite number\)/);
  });
});

describe('eval refuses NaN outputs instead of reporting an accuracy from them', () => {
  it('inputs that overflow the model: exit 1, how many samples', () => {
    // weights of 1e150: an input of 1e200 overflows to infinity (and inf - inf to NaN)
    const net = createModel({ kind: 'dln', inputDim: 2, widths: [2], outputDim: 2 }, { rng: 1 });
    for (const [name, p] of net.namedParameters()) p.value.data.fill(name.endsWith('bias') ? 0 : 1e150);
    const ckptFile = path.join(tmp, 'big-weights.json');
    saveCheckpoint(ckptFile, net, { loss: 'ce' });
    const csv = path.join(tmp, 'huge.csv');
    fs.writeFileSync(csv, 'x0,x1,label\n1e-300,1e-300,0\n1e200,1e200,1\n1e-300,0,1\n');
    const r = cli('eval', '--checkpoint', ckptFile, '--data', csv);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^halfspace eval: .*huge\.csv: the model's output is (NaN|-?Infinity) for 1 of 3 samples \(the first is data row 2\); no loss or accuracy is reported/);
    expect(r.stdout).toBe('');
  });
});
