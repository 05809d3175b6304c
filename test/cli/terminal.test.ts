// The command line on a real terminal: commands run under a pseudo-terminal (util-linux `script`),
// their output replayed through a tiny terminal model; and the same commands piped.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'halfspace.js');

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The environment of a person at a terminal: no CI variable, a real TERM. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...extra };
  if (!('CI' in extra)) delete env.CI;
  return env;
}

/**
 * Runs `halfspace ...args` with stdin, stdout and stderr on a pseudo-terminal; stdout can be
 * sent to a file instead (`stdoutTo`) so that the captured bytes are stderr's alone.
 */
function onTerminal(args: string[], o: { env?: NodeJS.ProcessEnv; stdoutTo?: string } = {}): { status: number | null; bytes: string } {
  const command = `${sh(process.execPath)} ${sh(BIN)} ${args.map(sh).join(' ')}${o.stdoutTo ? ` > ${sh(o.stdoutTo)}` : ''}`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: o.env ?? userEnv(), timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, bytes: r.stdout };
}

function piped(args: string[], env: NodeJS.ProcessEnv = userEnv()): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * What a terminal shows after these bytes: `\r` returns to column 0, `ESC[2K` clears the line,
 * `\n` moves down (the pty turns it into `\r\n`). Any other escape sequence is an error here:
 * the CLI uses no others.
 */
function screen(bytes: string): string[] {
  const lines = [''];
  let col = 0;
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i];
    if (ch === '\x1b') {
      if (bytes.startsWith('\x1b[2K', i)) {
        lines[lines.length - 1] = '';
        i += 3;
        continue;
      }
      throw new Error(`unexpected escape sequence ${JSON.stringify(bytes.slice(i, i + 8))}`);
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      lines.push('');
      col = 0;
    } else {
      const l = lines[lines.length - 1];
      lines[lines.length - 1] = l.slice(0, col) + ch + l.slice(col + 1);
      col++;
    }
  }
  return lines.filter((l, i) => l !== '' || i < lines.length - 1);
}

/** The bar's redraws: the text after each `\r ESC[2K` that starts with `label`. */
function redraws(bytes: string, label: string): string[] {
  return bytes
    .split('\r\x1b[2K')
    .slice(1)
    .map((s) => s.split(/[\r\n]/)[0])
    .filter((s) => s.startsWith(`${label} `));
}

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/; // anything but \t and \n

let tmp: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first (`npm test` does)');
  const s = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (s.error) throw new Error('these tests need util-linux `script` (Debian: bsdutils, installed everywhere)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-tty-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// 2000 points, 40 epochs: about half a second, several redraws at one per 80 ms
const TRAIN = ['train', '--model', 'dlgn', '--dataset', 'disk', '--epochs', '40', '--widths', '16,16,16'];

describe('train on a terminal', () => {
  it('draws a bar on stderr that updates in place with elapsed time and time left, then one summary line', () => {
    const out = path.join(tmp, 'tty-train');
    const stdoutFile = path.join(tmp, 'tty-train.stdout');
    const r = onTerminal([...TRAIN, '--out', out], { stdoutTo: stdoutFile });
    expect(r.status).toBe(0);
    const draws = redraws(r.bytes, 'train');
    // it updates: several redraws, the fraction grows, every one has the bar and the clock
    expect(draws.length).toBeGreaterThanOrEqual(3);
    for (const d of draws) expect(d).toMatch(/^train [█░]{20} +\d+% epoch \d+\/40 loss \d\.\d{4} acc \d\.\d{3} val_acc \d\.\d{3}, [\d.]+m?s elapsed(, ~[\dms.]+ left)?$/);
    const pcts = draws.map((d) => Number(/ (\d+)% /.exec(d)![1]));
    for (let i = 1; i < pcts.length; i++) expect(pcts[i]).toBeGreaterThanOrEqual(pcts[i - 1]);
    expect(draws.some((d) => / left$/.test(d))).toBe(true);
    expect(draws.at(-1)).toMatch(/^train █{20} 100% epoch 40\/40 /);
    // it ends cleanly: the screen holds the summary line only, no half-drawn bar
    const shown = screen(r.bytes);
    expect(shown).toEqual([expect.stringMatching(/^train: done in [\d.]+m?s, 40 epochs, final loss \d\.\d{4}$/)]);
    expect(r.bytes.endsWith('\r\n')).toBe(true);
    // stdout kept the report, free of progress
    const report = fs.readFileSync(stdoutFile, 'utf8');
    expect(report).toContain('trained 40 epochs in');
    expect(report).not.toMatch(CONTROL);
  });

  it('stdout and stderr on one terminal: the report follows the summary, nothing overwritten', () => {
    const r = onTerminal([...TRAIN, '--out', path.join(tmp, 'tty-both')]);
    expect(r.status).toBe(0);
    const shown = screen(r.bytes);
    expect(shown[0]).toMatch(/^train: done in /);
    expect(shown[1]).toMatch(/^DLGN 2-\[16,16,16\]-2 /);
    expect(shown.at(-1)).toMatch(/^wrote .*metrics\.json$/);
    expect(shown.length).toBe(7);
  });

  it('--quiet: nothing on stderr', () => {
    const r = onTerminal([...TRAIN, '--epochs', '3', '--quiet', '--out', path.join(tmp, 'tty-quiet')], { stdoutTo: path.join(tmp, 'q.stdout') });
    expect(r.status).toBe(0);
    expect(r.bytes).toBe('');
  });

  it('under CI (CI set) on a terminal: plain lines, no carriage returns or escapes', () => {
    const r = onTerminal([...TRAIN, '--epochs', '10', '--out', path.join(tmp, 'tty-ci')], { env: userEnv({ CI: 'true' }), stdoutTo: path.join(tmp, 'ci.stdout') });
    expect(r.status).toBe(0);
    const text = r.bytes.replace(/\r\n/g, '\n'); // the pty's own line ends
    expect(text).not.toMatch(CONTROL);
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(11); // each tenth of 10 epochs, then the summary
    expect(lines[0]).toMatch(/^train 10% epoch 1\/10 loss .*, [\d.]+m?s elapsed, ~[\d.]+m?s left$/);
    expect(lines.at(-1)).toMatch(/^train: done in /);
  });

  it('--json on a terminal: the bar shows, stdout is one JSON object', () => {
    const stdoutFile = path.join(tmp, 'json.stdout');
    const r = onTerminal([...TRAIN, '--epochs', '20', '--json', '--out', path.join(tmp, 'tty-json')], { stdoutTo: stdoutFile });
    expect(r.status).toBe(0);
    expect(redraws(r.bytes, 'train').length).toBeGreaterThanOrEqual(1);
    const j = JSON.parse(fs.readFileSync(stdoutFile, 'utf8'));
    expect(j.epochs).toBe(20);
  });
});

describe('piped', () => {
  it('train: plain periodic lines on stderr, no control characters anywhere', () => {
    const r = piped([...TRAIN, '--epochs', '20', '--out', path.join(tmp, 'pipe-train')]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stdout).not.toMatch(CONTROL);
    const lines = r.stderr.trim().split('\n');
    // the first epoch, then a line at every tenth (20 epochs: every 2nd), then the summary
    expect(lines.map((l) => /^train (\d+)% /.exec(l)?.[1] ?? 'summary')).toEqual(['5', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100', 'summary']);
    expect(lines.at(-1)).toMatch(/^train: done in [\d.]+m?s, 20 epochs, final loss \d\.\d{4}$/);
  });

  it('--json piped: stderr stays empty, stdout is the JSON', () => {
    const r = piped([...TRAIN, '--epochs', '5', '--json', '--out', path.join(tmp, 'pipe-json')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).epochs).toBe(5);
  });

  it('bench, parity, regions: progress lines then a summary, clean', () => {
    const b = piped(['bench', 'step', '--input', '6', '--widths', '5,3', '--classes', '3', '--batch', '7', '--steps', '10']);
    expect(b.status).toBe(0);
    expect(b.stderr).toMatch(/^bench 100% step 10\/10, [\d.]+m?s elapsed\nbench: done in [\d.]+m?s, median [\d.]+ ms per step\n$/m);
    const p = piped(['parity']);
    expect(p.status).toBe(0);
    expect(p.stderr).toMatch(/^parity 100% case 8\/8 \S+, [\d.]+m?s elapsed$/m);
    expect(p.stderr).toMatch(/^parity: done in [\d.]+m?s, 8 passed, 0 failed\n$/m);
    const out = path.join(tmp, 'pipe-regions');
    expect(piped(['train', '--dataset', 'xor', '--n', '200', '--epochs', '2', '--widths', '6,6', '--quiet', '--out', out]).status).toBe(0);
    const g = piped(['regions', '--checkpoint', path.join(out, 'model.json'), '--svg', path.join(out, 'r.svg')]);
    expect(g.status).toBe(0);
    expect(g.stderr).toMatch(/^regions 0% cutting the box by 12 gating lines, [\d.]+m?s elapsed\nregions 50% drawing \d+ regions, .*\nregions 100% written, .*\nregions: done in [\d.]+m?s, \d+ regions\n$/);
    for (const s of [b.stderr, p.stderr, g.stderr, b.stdout, p.stdout, g.stdout]) expect(s).not.toMatch(CONTROL);
  });
});

describe('experiment on a terminal', () => {
  it('names the configuration of how many, the epoch, elapsed and time left; logs stay above the bar', () => {
    const stdoutFile = path.join(tmp, 'e5.stdout');
    const r = onTerminal(['experiment', 'e5', '--quick', '--out', path.join(tmp, 'e5')], { stdoutTo: stdoutFile });
    expect(r.status).toBe(0);
    const draws = redraws(r.bytes, 'E5');
    expect(draws.length).toBeGreaterThanOrEqual(5);
    for (const d of draws) expect(d).toMatch(/^E5 [█░]{20} +\d+% .+ \((\d+)\/(\d+)\), epoch \d+\/\d+(, loss \d\.\d{4})?, [\dms.]+ elapsed(, ~[\dmhs.]+ left)?$/);
    // configurations counted up to the total
    const idx = draws.map((d) => / \((\d+)\/(\d+)\), /.exec(d)!.slice(1).map(Number));
    const total = idx[0][1];
    expect(total).toBeGreaterThan(1);
    expect(idx.every(([, t]) => t === total)).toBe(true);
    expect(idx.at(-1)![0]).toBe(total);
    const shown = screen(r.bytes);
    // the messages stay, each once; the bar is gone, replaced by the summary
    expect(shown[0]).toBe('[e5] Fixed vs learned gates (quick)');
    expect(shown.filter((l) => l.startsWith('E5 ')).length).toBe(0);
    expect(shown.at(-1)).toMatch(/^E5: done in [\d.]+m?s, wrote .*report\.md$/);
    expect(fs.readFileSync(stdoutFile, 'utf8')).toMatch(/^e5: wrote .*report\.md \(\d+ figures, [\d.]+ s\)\n$/);
  });

  it('piped: the same as plain lines', () => {
    const r = piped(['experiment', 'e5', '--quick', '--out', path.join(tmp, 'e5-piped')]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toMatch(/^E5 \d+% .+ \(\d+\/\d+\), epoch \d+\/\d+.*, [\dms.]+ elapsed, ~[\dms.]+ left$/m);
    expect(r.stderr).toMatch(/^E5: done in /m);
  });
});
