// The progress reporter with a fake stream and clock: what it writes in each mode, and when.

import { describe, expect, it } from 'vitest';
import { formatDuration, progress, progressMode, timing } from '../../src/cli/progress.js';

function fake(isTTY: boolean, columns?: number): { stream: { write(s: string): void; isTTY: boolean; columns?: number }; out: string[] } {
  const out: string[] = [];
  return { stream: { write: (s: string) => void out.push(s), isTTY, columns }, out };
}

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('formatDuration and timing', () => {
  it('reads like a person would write it', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(849.6)).toBe('850ms');
    expect(formatDuration(4240)).toBe('4.2s');
    expect(formatDuration(37_400)).toBe('37s');
    expect(formatDuration(130_000)).toBe('2m10s');
    expect(formatDuration(3_900_000)).toBe('1h05m');
    expect(formatDuration(NaN)).toBe('?');
  });

  it('estimates the time left from the fraction done', () => {
    expect(timing(130_000, 0.5)).toBe('2m10s elapsed, ~2m10s left');
    expect(timing(60_000, 0.75)).toBe('1m00s elapsed, ~20s left');
    expect(timing(5_000, 0)).toBe('5.0s elapsed');
    expect(timing(5_000, 1)).toBe('5.0s elapsed');
  });
});

describe('progressMode', () => {
  it('a bar on a terminal; plain when piped, under CI or on a dumb terminal; off with --quiet or piped --json', () => {
    expect(progressMode({ write() {}, isTTY: true }, {}, {})).toBe('tty');
    expect(progressMode({ write() {}, isTTY: true }, {}, { CI: 'true' })).toBe('plain');
    expect(progressMode({ write() {}, isTTY: true }, {}, { CI: '1' })).toBe('plain');
    expect(progressMode({ write() {}, isTTY: true }, {}, { CI: 'false' })).toBe('tty');
    expect(progressMode({ write() {}, isTTY: true }, {}, { TERM: 'dumb' })).toBe('plain');
    expect(progressMode({ write() {} }, {}, {})).toBe('plain');
    expect(progressMode({ write() {}, isTTY: true }, { quiet: true }, {})).toBe('off');
    expect(progressMode({ write() {} }, { json: true }, {})).toBe('off');
    expect(progressMode({ write() {}, isTTY: true }, { json: true }, {})).toBe('tty');
  });
});

describe('progress on a terminal', () => {
  it('redraws one line in place (at most every 80 ms, always the last), then a summary', () => {
    const { stream, out } = fake(true);
    const c = clock();
    const bar = progress('train', { stream, mode: 'tty', now: c.now });
    c.advance(100);
    bar.update(1, 4, 'epoch 1/4');
    c.advance(10);
    bar.update(2, 4, 'epoch 2/4'); // too soon: not drawn
    c.advance(100);
    bar.update(3, 4, 'epoch 3/4');
    c.advance(10);
    bar.update(4, 4, 'epoch 4/4'); // the last is always drawn
    bar.done('4 epochs');
    expect(out).toEqual([
      `\r\x1b[2Ktrain ${'█'.repeat(5)}${'░'.repeat(15)}  25% epoch 1/4, 100ms elapsed, ~300ms left`,
      `\r\x1b[2Ktrain ${'█'.repeat(15)}${'░'.repeat(5)}  75% epoch 3/4, 210ms elapsed, ~70ms left`,
      `\r\x1b[2Ktrain ${'█'.repeat(20)} 100% epoch 4/4, 220ms elapsed`,
      '\r\x1b[2K',
      'train: done in 220ms, 4 epochs\n',
    ]);
  });

  it('log lines go above the bar, which is redrawn under them', () => {
    const { stream, out } = fake(true);
    const c = clock();
    const bar = progress('E6', { stream, mode: 'tty', now: c.now });
    bar.log('[e6] data: 6000 points'); // no bar yet: just the line
    bar.update(1, 2, 'DLGN (1/2)');
    c.advance(500);
    bar.log('[e6] DLGN done');
    expect(out).toEqual([
      '[e6] data: 6000 points\n',
      `\r\x1b[2KE6 ${'█'.repeat(10)}${'░'.repeat(10)}  50% DLGN (1/2), 0ms elapsed`,
      '\r\x1b[2K',
      '[e6] DLGN done\n',
      `\r\x1b[2KE6 ${'█'.repeat(10)}${'░'.repeat(10)}  50% DLGN (1/2), 500ms elapsed, ~500ms left`,
    ]);
  });

  it('clear() takes the bar off the screen so stdout can write; the next update redraws it', () => {
    const { stream, out } = fake(true);
    const c = clock();
    const bar = progress('parity', { stream, mode: 'tty', now: c.now });
    bar.clear(); // nothing drawn yet: nothing to clear
    bar.update(1, 8, 'case 1/8');
    bar.clear();
    c.advance(100);
    bar.update(2, 8, 'case 2/8');
    expect(out.length).toBe(3);
    expect(out[1]).toBe('\r\x1b[2K');
    expect(out[2]).toMatch(/^\r\x1b\[2Kparity █{5}░{15}  25% case 2\/8, 100ms elapsed, ~300ms left$/);
  });

  it('cuts the line to the terminal width', () => {
    const { stream, out } = fake(true, 40);
    const bar = progress('train', { stream, mode: 'tty', now: () => 0 });
    bar.update(1, 2, 'a long status that does not fit in forty columns at all');
    const visible = out[0].replace('\r\x1b[2K', '');
    expect(visible.length).toBe(39);
    expect(visible.endsWith('…')).toBe(true);
  });
});

describe('progress piped', () => {
  it('plain lines: the first update, each tenth of the work, the last, and the summary', () => {
    const { stream, out } = fake(false);
    const c = clock();
    const bar = progress('train', { stream, mode: 'plain', now: c.now });
    for (let e = 1; e <= 40; e++) {
      c.advance(50);
      bar.update(e, 40, `epoch ${e}/40`);
    }
    bar.done();
    expect(out.every((l) => l.endsWith('\n') && !/[\r\x1b]/.test(l))).toBe(true);
    expect(out.map((l) => /^train (\d+)%/.exec(l)?.[1] ?? l)).toEqual(['2', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100', 'train: done in 2.0s\n']);
    expect(out[1]).toBe('train 10% epoch 4/40, 200ms elapsed, ~1.8s left\n');
  });

  it('and at least every 30 s when the work crawls', () => {
    const { stream, out } = fake(false);
    const c = clock();
    const bar = progress('E7', { stream, mode: 'plain', now: c.now });
    bar.update(0, 1000, 'a');
    c.advance(31_000);
    bar.update(1, 1000, 'b'); // same tenth, but 31 s later
    c.advance(1_000);
    bar.update(2, 1000, 'c');
    expect(out.map((l) => l.split(',')[0])).toEqual(['E7 0% a', 'E7 0% b']);
  });
});

describe('progress off (--quiet)', () => {
  it('writes nothing at all', () => {
    const { stream, out } = fake(true);
    const bar = progress('train', { stream, quiet: true });
    bar.update(1, 2, 'x');
    bar.log('message');
    bar.clear();
    bar.done('summary');
    expect(bar.mode).toBe('off');
    expect(out).toEqual([]);
  });
});
