// The built `halfspace` command, run as a user runs it: help, version, parity, train, eval, errors.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cli } from '../helpers/cli.js';
import { FIXTURE_PATH, loadFixtureFile } from '../helpers/parity-fixtures.js';

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const lastLine = (s: string): string => lines(s).at(-1) ?? '';

let tmp: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` first (`npm test` does)');
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-cli-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** XOR points in [-1, 1]^2 with a header and the label column in the middle. */
function writeXorCsv(file: string, n: number, seed: number): void {
  // a small LCG is enough for test data
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
  const rows = ['x0,label,x1'];
  for (let i = 0; i < n; i++) {
    const a = rnd();
    const b = rnd();
    rows.push(`${a},${(a > 0) !== (b > 0) ? 1 : 0},${b}`);
  }
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
}

describe('help, version, unknown command', () => {
  it('--help (and no arguments) print the command list, exit 0', () => {
    for (const args of [['--help'], [], ['help']]) {
      const r = cli(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('usage: halfspace <command> [options]');
      for (const cmd of ['train', 'eval', 'parity', 'version']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
  });

  it('a command --help prints its own options', () => {
    const r = cli('train', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('halfspace train --model dlgn|dlgn-sf|dlgn-vt|dgn|relu|linear');
    expect(r.stdout).toContain('--label-column');
    expect(cli('eval', '--help').stdout).toContain('halfspace eval --checkpoint DIR/model.json --data FILE.csv');
    expect(cli('parity', '-h').stdout).toContain('halfspace parity [FILE_OR_DIR ...]');
  });

  it('version prints the package.json version', () => {
    for (const v of ['version', '--version']) {
      const r = cli(v);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`halfspace ${VERSION}\n`);
    }
  });

  it('an unknown command exits 2 with a message on stderr; a near miss gets a suggestion', () => {
    const r = cli('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("halfspace: unknown command 'frobnicate'\n(see 'halfspace --help' for the list)\n");
    const t = cli('trian', '--dataset', 'xor');
    expect(t.status).toBe(2);
    expect(t.stderr.split('\n')[0]).toBe("halfspace: unknown command 'trian'; did you mean train?");
    expect(cli('experimnet').stderr.split('\n')[0]).toBe("halfspace: unknown command 'experimnet'; did you mean experiment?");
    expect(cli('pahts').stderr.split('\n')[0]).toBe("halfspace: unknown command 'pahts'; did you mean paths?");
  });
});

describe('parity', () => {
  it('the default fixture: every case passes, exit 0', () => {
    const r = cli('parity');
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^# .*torch-parity\.json \(PyTorch .*\): 8 cases$/);
    expect(out.filter((l) => l.startsWith('PASS ')).length).toBe(8);
    expect(out.at(-1)).toBe('8 passed, 0 failed');
    // every field of every case is checked: paths, npk and ntk included
    expect(r.stdout).not.toMatch(/unchecked/);
    for (const l of out.filter((x) => x.startsWith('PASS '))) expect(l).toMatch(/paths, npk, ntk\.all/);
  });

  it('a directory with the fixture and a corrupted copy: exit 1, the FAIL names case and field', () => {
    const dir = path.join(tmp, 'fixtures');
    fs.mkdirSync(dir);
    fs.copyFileSync(FIXTURE_PATH, path.join(dir, 'a-torch.json'));
    const bad = loadFixtureFile();
    const c = bad.cases.find((x) => x.name === 'dgn-soft-ce')!;
    c.name = 'dgn-soft-ce-corrupted';
    c.grads['value.0.weight'].data[1] += 1e-6;
    fs.writeFileSync(path.join(dir, 'b-corrupted.json'), JSON.stringify(bad));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a fixture');

    const r = cli('parity', dir);
    expect(r.status).toBe(1);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.startsWith('# ')).map((l) => l.replace(/ \(.*\): 8 cases$/, ''))).toEqual([
      `# ${path.join(dir, 'a-torch.json')}`,
      `# ${path.join(dir, 'b-corrupted.json')}`,
    ]);
    const fails = out.filter((l) => l.startsWith('FAIL '));
    expect(fails.length).toBe(1);
    expect(fails[0]).toMatch(/^FAIL dgn-soft-ce-corrupted: checked output, gates, loss, grads, train\.sgd, train\.adam, paths, npk, ntk\.all, ntk\.valueOnly;/);
    const i = out.indexOf(fails[0]);
    expect(out[i + 1]).toMatch(/^ {5}grads: relative error \d\.\d\de-\d+ > 1e-9$/);
    expect(out.filter((l) => l.startsWith('PASS ')).length).toBe(15);
    expect(out.at(-1)).toBe('15 passed, 1 failed');
  });

  it('files can be named one by one', () => {
    const r = cli('parity', FIXTURE_PATH, FIXTURE_PATH);
    expect(r.status).toBe(0);
    expect(lastLine(r.stdout)).toBe('16 passed, 0 failed');
  });

  it('a missing path, an empty directory, a file that is not JSON: an error, exit 1', () => {
    const missing = path.join(tmp, 'no-such.json');
    const r = cli('parity', missing);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`halfspace parity: no such file or directory: ${missing}\n`);

    const empty = path.join(tmp, 'empty-dir');
    fs.mkdirSync(empty);
    const e = cli('parity', empty);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain(`parity: directory ${empty} holds no .json fixture files`);

    const junk = path.join(tmp, 'junk.json');
    fs.writeFileSync(junk, '{ not json');
    const j = cli('parity', junk);
    expect(j.status).toBe(1);
    expect(j.stderr).toContain(`parity: cannot read ${junk}:`);

    const wrong = path.join(tmp, 'wrong.json');
    fs.writeFileSync(wrong, '{"tests": []}');
    const w = cli('parity', wrong);
    expect(w.status).toBe(1);
    expect(w.stderr).toContain(`parity: ${wrong} is not a fixture file`);
  });
});

describe('train and eval', () => {
  it('a DLGN learns the disk (test accuracy >= 0.95); the same command writes the same model.json', () => {
    const args = ['--model', 'dlgn', '--dataset', 'disk', '--seed', '1', '--epochs', '60', '--widths', '16,16,16', '--quiet'];
    const a = path.join(tmp, 'disk-a');
    const b = path.join(tmp, 'disk-b');
    const r1 = cli('train', ...args, '--out', a);
    expect(r1.stderr).toBe('');
    expect(r1.status).toBe(0);
    const r2 = cli('train', ...args, '--out', b);
    expect(r2.status).toBe(0);
    console.log(`train disk 60 epochs: ${r1.ms} ms, ${r2.ms} ms`);

    expect(r1.stdout.split('\n')[0]).toBe('DLGN 2-[16,16,16]-2 (features=cf, gate=soft, beta=10, valueInput=ones, bias=true), 1218 parameters');
    expect(r1.stdout).toMatch(/^test loss \d+\.\d{4}, accuracy \d+\.\d%$/m);
    expect(r1.stdout).toContain(`wrote ${path.join(a, 'model.json')} and ${path.join(a, 'metrics.json')}`);

    const metrics = JSON.parse(fs.readFileSync(path.join(a, 'metrics.json'), 'utf8'));
    expect(metrics.final.test.accuracy).toBeGreaterThanOrEqual(0.95);
    for (const part of ['train', 'validation', 'test']) {
      expect(Number.isFinite(metrics.final[part].loss), part).toBe(true);
      expect(metrics.final[part].accuracy).toBeGreaterThan(0.5);
    }
    expect(metrics.history.length).toBe(60);
    expect(metrics.history[0]).toMatchObject({ epoch: 0, lr: [0.01] });
    expect(metrics.history[59].epoch).toBe(59);
    expect(metrics.history[59].loss).toBeLessThan(metrics.history[0].loss);
    expect(typeof metrics.wallSeconds).toBe('number');
    expect(metrics.wallSeconds).toBeGreaterThan(0);
    expect(metrics.config.kind).toBe('dlgn');

    const ma = fs.readFileSync(path.join(a, 'model.json'));
    const mb = fs.readFileSync(path.join(b, 'model.json'));
    expect(ma.equals(mb)).toBe(true);
    const ckpt = JSON.parse(ma.toString('utf8'));
    expect(ckpt.format).toBe('halfspace-checkpoint');
    expect(ckpt.training.seed).toBe(1);
    expect(ckpt.training.data).toMatchObject({ dataset: 'disk', n: 2000, seed: 1 });
    // another seed gives another model
    const c = path.join(tmp, 'disk-c');
    const other = ['--model', 'dlgn', '--dataset', 'disk', '--seed', '2', '--epochs', '2', '--widths', '16,16,16', '--quiet'];
    expect(cli('train', ...other, '--out', c).status).toBe(0);
    expect(fs.readFileSync(path.join(c, 'model.json')).equals(ma)).toBe(false);
  });

  it('a CSV with the label column in the middle trains, and eval reports loss and accuracy (text and --json)', () => {
    const csv = path.join(tmp, 'xor.csv');
    writeXorCsv(csv, 400, 17);
    const out = path.join(tmp, 'xor-run');
    const r = cli('train', '--model', 'dlgn', '--data', csv, '--label-column', 'label', '--epochs', '60', '--widths', '16,16', '--out', out, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.data).toMatchObject({ file: 'xor.csv', label: 'label', rows: 400 });
    expect(metrics.loss).toBe('ce');
    expect(metrics.final.test.accuracy).toBeGreaterThan(0.85);

    const ckpt = path.join(out, 'model.json');
    const e = cli('eval', '--checkpoint', ckpt, '--data', csv, '--label-column', 'label');
    expect(e.stderr).toBe('');
    expect(e.status).toBe(0);
    expect(e.stdout.split('\n')[0]).toMatch(/^DLGN 2-\[16,16\]-2 /);
    const m = /^400 samples: ce loss (\d+\.\d{6}), accuracy (\d+\.\d\d)%$/m.exec(e.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(85);

    const j = cli('eval', '--checkpoint', ckpt, '--data', csv, '--label-column', '1', '--json');
    expect(j.status).toBe(0);
    const rep = JSON.parse(j.stdout);
    expect(Object.keys(rep)).toEqual(['loss', 'accuracy', 'samples']);
    expect(rep.samples).toBe(400);
    expect(rep.loss).toBeCloseTo(Number(m![1]), 5);
    expect(rep.accuracy).toBeCloseTo(Number(m![2]) / 100, 4);
  });

  it('a regression CSV trains with mse and eval reports a loss without accuracy', () => {
    const csv = path.join(tmp, 'reg.csv');
    const rows = ['a,b,target'];
    for (let i = 0; i < 60; i++) rows.push(`${i / 60},${(i % 7) / 7},${(0.5 * i) / 60 - (i % 7) / 14 + 0.25}`);
    fs.writeFileSync(csv, `${rows.join('\n')}\n`);
    const out = path.join(tmp, 'reg-run');
    const r = cli('train', '--model', 'relu', '--data', csv, '--epochs', '5', '--widths', '8', '--out', out, '--quiet');
    expect(r.status).toBe(0);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.loss).toBe('mse');
    expect(metrics.config.outputDim).toBe(1);
    expect(metrics.final.test.accuracy).toBeUndefined();
    const j = cli('eval', '--checkpoint', path.join(out, 'model.json'), '--data', csv, '--json');
    expect(j.status).toBe(0);
    const rep = JSON.parse(j.stdout);
    expect(rep.accuracy).toBeNull();
    expect(rep.samples).toBe(60);
    expect(Number.isFinite(rep.loss)).toBe(true);
  });

  for (const model of ['relu', 'linear', 'dgn', 'dlgn-sf', 'dlgn-vt'] as const) {
    it(`--model ${model} trains a few epochs and writes both files`, () => {
      const out = path.join(tmp, `model-${model}`);
      const r = cli('train', '--model', model, '--dataset', 'xor', '--n', '300', '--epochs', '3', '--widths', '6,5', '--out', out, '--quiet');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      const kind = { relu: 'dnn', linear: 'dln', dgn: 'dgn', 'dlgn-sf': 'dlgn', 'dlgn-vt': 'dlgn-vt' }[model];
      expect(metrics.model).toBe(model);
      expect(metrics.config.kind).toBe(kind);
      expect(metrics.config.widths).toEqual([6, 5]);
      if (model === 'dlgn-sf' || model === 'dlgn-vt') expect(metrics.config.features).toBe('sf');
      expect(metrics.history.length).toBe(3);
      expect(Object.keys(metrics.final)).toEqual(['train', 'validation', 'test']);
      expect(typeof metrics.wallSeconds).toBe('number');
      const ckpt = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
      expect(ckpt.kind).toBe(kind);
    });
  }

  it('without --quiet, progress goes to stderr and stdout keeps the report', () => {
    const out = path.join(tmp, 'loud');
    const r = cli('train', '--model', 'dlgn', '--dataset', 'xor', '--n', '200', '--epochs', '4', '--widths', '4', '--out', out);
    expect(r.status).toBe(0);
    // piped: plain lines (no carriage returns or escapes), each with elapsed time, then a summary
    expect(r.stderr).toMatch(/^train 100% epoch 4\/4 loss \d+\.\d{4} acc \d\.\d{3} val_acc \d\.\d{3}, \d+ms elapsed$/m);
    expect(r.stderr).toMatch(/^train 25% epoch 1\/4 .*, \d+ms elapsed, ~\d+ms left$/m);
    expect(r.stderr).toMatch(/^train: done in \d+ms, 4 epochs, final loss \d+\.\d{4}\n$/m);
    expect(r.stderr).not.toMatch(/[\r\x1b]/);
    expect(r.stdout).not.toContain('epoch 4/4');
    expect(r.stdout).toContain('trained 4 epochs in');
  });
});

describe('errors a user sees', () => {
  it('a CSV cell that is not a number: the file, line, column and its name', () => {
    const csv = path.join(tmp, 'bad.csv');
    fs.writeFileSync(csv, 'x0,x1,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,abc,0\n0.7,0.8,1\n');
    const r = cli('train', '--data', csv, '--out', path.join(tmp, 'bad-run'), '--epochs', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`halfspace train: ${csv}: line 4, column 2 (x1): 'abc' is not a finite number\n`);
    expect(fs.existsSync(path.join(tmp, 'bad-run'))).toBe(false);
  });

  it('an unknown option (a typo of --epochs): exit 2, one prefix, a suggestion', () => {
    const r = cli('train', '--dataset', 'xor', '--out', path.join(tmp, 'typo'), '--epoch', '5');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("halfspace train: unknown option --epoch; did you mean --epochs?\n(see 'halfspace train --help')\n");
    expect(fs.existsSync(path.join(tmp, 'typo'))).toBe(false);
    // an unknown option is unknown, not "needs a value", even last on the line
    const p = cli('paths', '--bogus');
    expect(p.status).toBe(2);
    expect(p.stderr).toBe("halfspace paths: unknown option --bogus\n(see 'halfspace paths --help')\n");
    expect(cli('paths', '--chekpoint', 'm.json').stderr.split('\n')[0]).toBe('halfspace paths: unknown option --chekpoint; did you mean --checkpoint?');
    expect(cli('train', '-epochs', '3').stderr.split('\n')[0]).toBe('halfspace train: unknown option -epochs (options are spelled --name); did you mean --epochs?');
    expect(cli('train', '--quiet=yes').stderr.split('\n')[0]).toBe("halfspace train: --quiet takes no value, got 'yes'");
    expect(cli('eval', 'extra.csv').stderr.split('\n')[0]).toBe("halfspace eval: unexpected argument 'extra.csv'");
  });

  it('--widths 0,3: exit 2, the message once', () => {
    const r = cli('train', '--dataset', 'xor', '--out', path.join(tmp, 'w'), '--widths', '0,3');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("halfspace train: --widths must be a comma-separated list of positive integers, got '0,3'\n(see 'halfspace train --help')\n");
  });

  it('no error message repeats its prefix', () => {
    const runs = [
      cli('train', '--dataset', 'xor'),
      cli('parity', path.join(tmp, 'missing.json')),
      cli('eval', '--data', 'x.csv'),
      cli('regions', '--checkpoint', 'm.json'),
      cli('experiment', 'e9', '--out', tmp),
      cli('bench', 'walk'),
      cli('completion', 'fish'),
    ];
    for (const r of runs) {
      expect(r.status).not.toBe(0);
      const first = r.stderr.split('\n')[0];
      expect(first).toMatch(/^halfspace [a-z]+: /);
      const cmd = /^halfspace ([a-z]+): /.exec(first)![1];
      expect(first.slice(`halfspace ${cmd}: `.length).startsWith(`${cmd}:`), first).toBe(false);
    }
    expect(runs[4].stderr.split('\n')[0]).toBe("halfspace experiment: unknown experiment 'e9' (expected e1, e2, e3, e4, e5, e6, e7, all)");
    expect(runs[6].stderr.split('\n')[0]).toBe("halfspace completion: unknown shell 'fish' (expected bash, zsh)");
    expect(runs[4].status).toBe(2);
  });

  it('missing --out, missing data, both data sources, an unknown data set or model', () => {
    const noOut = cli('train', '--dataset', 'xor');
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe("halfspace train: --out DIR is required\n(see 'halfspace train --help')\n");
    const out = path.join(tmp, 'x');
    expect(cli('train', '--out', out).stderr).toContain('train: give --data FILE.csv or --dataset disk|xor|rings|spirals|blobs');
    expect(cli('train', '--out', out, '--dataset', 'xor', '--data', 'f.csv').stderr).toContain(
      'train: give either --data FILE.csv or --dataset NAME, not both',
    );
    expect(cli('train', '--out', out, '--dataset', 'moons').stderr).toContain("train: --dataset must be one of disk, xor, rings, spirals, blobs, got 'moons'");
    expect(cli('train', '--out', out, '--dataset', 'spiral').stderr).toContain("got 'spiral'; did you mean spirals?");
    expect(cli('train', '--out', out, '--dataset', 'xor', '--model', 'dlgm').stderr).toContain("got 'dlgm'; did you mean dlgn?");
    expect(cli('train', '--out', out, '--dataset', 'xor', '--model', 'cnn').stderr).toContain(
      "train: --model must be one of dlgn, dlgn-sf, dlgn-vt, dgn, relu, linear, got 'cnn'",
    );
    expect(cli('train', '--out', out, '--dataset', 'xor', '--epochs', '0').stderr).toContain("train: --epochs must be a positive integer, got '0'");
    expect(cli('train', '--out', out, '--dataset', 'xor', '--epochs').stderr).toContain('--epochs needs a value (--epochs N)');
    expect(cli('train', '--out', out, '--dataset', 'xor', '--epochs').status).toBe(2);
  });

  it('eval: missing checkpoint file, missing flags, a CSV of the wrong width', () => {
    const none = cli('eval', '--checkpoint', path.join(tmp, 'nope.json'), '--data', 'x.csv');
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(`halfspace eval: checkpoint ${path.join(tmp, 'nope.json')}: no such file\n`);
    expect(cli('eval', '--data', 'x.csv').stderr).toContain('eval: --checkpoint FILE is required');
    expect(cli('eval', '--checkpoint', 'm.json').stderr).toContain('eval: --data FILE.csv is required');

    const out = path.join(tmp, 'wide-run');
    expect(cli('train', '--dataset', 'xor', '--n', '100', '--epochs', '1', '--widths', '3', '--out', out, '--quiet').status).toBe(0);
    const wide = path.join(tmp, 'wide.csv');
    fs.writeFileSync(wide, 'a,b,c,label\n1,2,3,0\n4,5,6,1\n');
    const r = cli('eval', '--checkpoint', path.join(out, 'model.json'), '--data', wide);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`halfspace eval: ${wide} has 3 feature columns, the model expects 2\n`);
  });
});

describe('paths in words, and --json for scripts', () => {
  let ckpt: string;
  beforeAll(() => {
    const out = path.join(tmp, 'paths-run');
    expect(cli('train', '--model', 'dlgn', '--dataset', 'disk', '--n', '400', '--epochs', '5', '--widths', '4,3', '--out', out, '--quiet').status).toBe(0);
    ckpt = path.join(out, 'model.json');
  });

  it('paths prints each path as words and arrows with its raw id, and the notation once', () => {
    const r = cli('paths', '--checkpoint', ckpt, '--x', '0.3,-0.2', '--top', '5');
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.startsWith('How to read a path: ')).length).toBe(1);
    expect(r.stdout).toContain('  1(xi)     starts at position i of the all-ones value input');
    const rows = out.filter((l) => /^ {2}\d\. /.test(l));
    expect(rows.length).toBe(5);
    for (const row of rows) {
      const m = /^ {2}\d\. (.+?) {3}\(id (\[.*\])\)$/.exec(row);
      expect(m, row).not.toBeNull();
      const id = JSON.parse(m![2]) as number[];
      const words = m![1];
      if (id[0] === 0) expect(words).toBe(`1(x${id[1] + 1}) -> L1.u${id[2]} -> L2.u${id[3]}`);
      else if (id[0] === 1) expect(words).toBe(`bias L1 -> L1.u${id[2]} -> L2.u${id[3]}`);
      else if (id[0] === 2) expect(words).toBe(`bias L2 -> L2.u${id[2]}`);
      else expect(words).toBe('bias out');
    }
  });

  it('paths --json keeps the raw id beside the words, with stable keys', () => {
    const r = cli('paths', '--checkpoint', ckpt, '--x', '0.3,-0.2', '--top', '3', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['x', 'output', 'pathCount', 'top', 'decomposition']);
    expect(j.top.length).toBe(3);
    for (const p of j.top) {
      expect(Object.keys(p)).toEqual(['id', 'path', 'value', 'activity', 'contribution', 'constraints']);
      expect(Array.isArray(p.id)).toBe(true);
      expect(p.path).toMatch(/^(1\(x\d\)|bias L\d|bias out)/);
    }
    expect(j.pathCount).toBe(String(2 * 4 * 3 + 4 * 3 + 3 + 1));
    expect(j.decomposition.maxAbsError).toBeLessThan(1e-9);
  });

  it('the demo prints paths in words too', () => {
    const out = path.join(tmp, 'demo');
    const r = cli('demo', '--out', out, '--quiet');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/path \[/);
    expect(r.stdout.match(/^How to read a path: /gm)?.length).toBe(1);
    const pathLines = lines(r.stdout).filter((l) => /^ {2}(1\(x\d\)|bias L\d|bias out)/.test(l));
    expect(pathLines.length).toBe(9); // 3 points x top 3
    for (const l of pathLines) expect(l).toMatch(/ {2}\(id \[[-\d,]+\]\): contribution \(/);
  }, 60_000);

  it('train --json: one object with stable keys, the files it wrote', () => {
    const out = path.join(tmp, 'json-train');
    const r = cli('train', '--dataset', 'xor', '--n', '200', '--epochs', '3', '--widths', '4', '--out', out, '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(''); // piped with --json: no progress lines
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['model', 'config', 'parameters', 'loss', 'epochs', 'wallSeconds', 'stopped', 'weights', 'final', 'files']);
    expect(j.epochs).toBe(3);
    expect(Object.keys(j.final)).toEqual(['train', 'validation', 'test']);
    expect(Object.keys(j.final.test)).toEqual(['loss', 'accuracy']);
    expect(j.files).toEqual({ model: path.join(out, 'model.json'), metrics: path.join(out, 'metrics.json') });
    const metrics = JSON.parse(fs.readFileSync(j.files.metrics, 'utf8'));
    expect(metrics.final.test.accuracy).toBe(j.final.test.accuracy);
  });

  it('tree reads a decision tree out of the checkpoint, on the data it was trained on, next to the model', () => {
    const r = cli('tree', '--checkpoint', ckpt, '--depth', '2');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^data: disk \(n 400, noise 0, seed 1, 60\/20\/20 split\), as the checkpoint was trained$/m);
    expect(r.stdout).toMatch(/^tree: depth [0-2], \d+ splits, \d+ leaves, grown on 240 training points \(labels from the data\)$/m);
    expect(r.stdout).toMatch(/^tree +\d+\.\d% +\d+\.\d%$/m);
    expect(r.stdout).toMatch(/^model +\d+\.\d% +\d+\.\d%$/m);
    const j = JSON.parse(cli('tree', '--checkpoint', ckpt, '--depth', '2', '--json').stdout);
    expect(Object.keys(j)).toEqual(['data', 'depth', 'splits', 'leaves', 'accuracy', 'root']);
    expect(j.leaves).toBe(j.splits + 1);
    for (const who of ['tree', 'model']) for (const s of ['train', 'test']) expect(j.accuracy[who][s] >= 0 && j.accuracy[who][s] <= 1).toBe(true);
    // the text's percentages are the JSON's
    expect(r.stdout).toContain(`${(100 * j.accuracy.tree.test).toFixed(1)}%`);
    expect(['split', 'leaf']).toContain(j.root.kind);
    // other data: a built-in set by flag
    expect(cli('tree', '--checkpoint', ckpt, '--dataset', 'xor', '--n', '300', '--json').status).toBe(0);
    // --pick discontinuity reaches extractTree: every split says so
    const asked = JSON.parse(cli('tree', '--checkpoint', ckpt, '--depth', '2', '--pick', 'discontinuity', '--json').stdout);
    const rules = (n: { kind: string; chosenBy?: string; left?: unknown; right?: unknown }): string[] =>
      n.kind === 'leaf' ? [] : [n.chosenBy!, ...rules(n.left as typeof n), ...rules(n.right as typeof n)];
    expect(rules(asked.root).length).toBeGreaterThan(0);
    expect(new Set(rules(asked.root).filter((c) => c !== 'impurity'))).toEqual(new Set(['discontinuity']));
    expect(new Set(rules(j.root).filter((c) => c !== 'impurity'))).toEqual(new Set(['cluster']));
  });

  it('tree refuses a network without half-space gates, and bad flags, in one line', () => {
    const out = path.join(tmp, 'tree-relu');
    expect(cli('train', '--model', 'relu', '--dataset', 'disk', '--n', '200', '--epochs', '2', '--widths', '4', '--out', out, '--quiet').status).toBe(0);
    const relu = cli('tree', '--checkpoint', path.join(out, 'model.json'));
    expect(relu.status).toBe(1);
    expect(relu.stderr).toMatch(/^halfspace tree: needs a model whose gates are half-spaces of the input \(dlgn, dlgn-sf, dlgn-vt\); .* holds a dnn network\n$/);
    const bad = cli('tree', '--checkpoint', ckpt, '--labels', 'guess');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--labels must be one of data, model, got 'guess'/);
    expect(cli('tree', '--checkpoint', ckpt, '--pick', 'biggest').stderr).toMatch(/--pick must be one of largest, discontinuity, got 'biggest'/);
    expect(cli('tree', '--checkpoint', ckpt, '--depth', '-1').stderr).toMatch(/extractTree: depth must be an integer >= 0, got -1/);
  });

  it('regions --json: the counts', () => {
    const svg = path.join(tmp, 'regions.svg');
    const text = cli('regions', '--checkpoint', ckpt, '--svg', svg, '--quiet');
    expect(text.status).toBe(0);
    const m = /^(\d+) regions and (\d+) of (\d+) gating lines in /.exec(text.stdout)!;
    const r = cli('regions', '--checkpoint', ckpt, '--svg', svg, '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['regions', 'lines', 'linesInBox', 'box', 'svg']);
    expect([j.regions, j.linesInBox, j.lines]).toEqual([Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(j.lines).toBe(7);
    expect(j.box).toEqual({ xmin: -1, xmax: 1, ymin: -1, ymax: 1 });
  });

  it('parity --json: passed, failed and every case', () => {
    const r = cli('parity', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['passed', 'failed', 'cases']);
    expect([j.passed, j.failed]).toEqual([8, 0]);
    for (const c of j.cases) {
      expect(Object.keys(c)).toEqual(['name', 'ok', 'fields', 'unchecked']);
      expect(c.ok).toBe(true);
      expect(c.fields.map((f: { field: string }) => f.field)).toContain('paths');
    }
  });

  it('experiment --json: a summary of what was written', () => {
    const out = path.join(tmp, 'exp');
    const r = cli('experiment', 'e5', '--quick', '--out', out, '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['experiments']);
    expect(j.experiments.length).toBe(1);
    const e = j.experiments[0];
    expect(Object.keys(e)).toEqual(['id', 'title', 'dir', 'report', 'metrics', 'figures', 'seconds']);
    expect(e.id).toBe('e5');
    expect(e.report).toBe(path.join(out, 'e5', 'report.md'));
    for (const f of [e.report, e.metrics, ...e.figures]) expect(fs.existsSync(f), f).toBe(true);
  }, 60_000);
});

describe('exit codes', () => {
  it('0 success, 1 failure, 2 usage', () => {
    expect(cli('version').status).toBe(0);
    expect(cli('eval', '--checkpoint', path.join(tmp, 'none.json'), '--data', 'x.csv').status).toBe(1); // a missing file
    expect(cli('train', '--bogus').status).toBe(2);
    expect(cli('nosuchcommand').status).toBe(2);
    expect(cli('paths', '--checkpoint', 'm.json').status).toBe(2); // --x missing
  });
});
