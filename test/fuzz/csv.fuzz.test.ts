// Fuzz: CSV text from a pool of good and bad cells, quotes, comments and line ends. Every text
// parses into exactly the rows a reference reading gives (finite values, no row dropped), or is
// refused cleanly naming the source, within the time and memory bounds.

import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { cases, expectBounded, expectCleanRefusal, fuzzLoop, gen } from './fuzz.js';

const GOOD = ['0', '1', '2', '-0.5', '3.25', '1e-3', '-7', ' 4 ', '"5"', '0.0', '+2'];
const BAD = ['', 'abc', 'NaN', 'Infinity', '1e400', '-1e400', '0x', '"a,b"', '1,5', '""', '"', 'z'.repeat(3000)];
const LABELS = ['0', '1', '2', '3', '0.5', '-1', '10000000', '9999', '1e9'];

describe('fuzz: CSV', () => {
  it(`random CSV text parses to the reference rows or is refused cleanly (${cases(600)} cases)`, () => {
    const g = gen(2);
    let parsed = 0;
    let refused = 0;
    const stats = fuzzLoop(cases(600), (i) => {
      const cols = g.int(1, 5);
      const rows = g.int(0, 12);
      // the file as token rows; tokens with a comma or a lone quote make the reference unsure
      const tokenRows: string[][] = [];
      if (g.chance(0.5)) tokenRows.push(Array.from({ length: cols }, (_, c) => (g.chance(0.9) ? `c${c}` : g.pick(GOOD))));
      const lines: string[] = [];
      for (let r = 0; r < rows; r++) {
        const width = g.chance(0.05) ? g.int(1, 6) : cols;
        tokenRows.push(Array.from({ length: width }, (_, c) => (g.chance(0.04) ? g.pick(BAD) : c === width - 1 ? g.pick(LABELS) : g.pick(GOOD))));
      }
      for (const t of tokenRows) {
        if (g.chance(0.05)) lines.push(g.pick(['', '# comment', '   ']));
        lines.push(t.join(','));
      }
      const text = lines.join(g.chance(0.2) ? '\r\n' : '\n') + (g.chance(0.5) ? '\n' : '');
      const what = `case ${i}: ${JSON.stringify(text.slice(0, 120))}`;

      // the reference reading: exact unless a token holds a comma or a lone quote
      const unsure = tokenRows.some((t) => t.some((c) => c.includes(',') || c === '"'));
      const value = (c: string): number => {
        const v = c.trim().replace(/^"(.*)"$/, '$1').trim();
        return v === '' ? NaN : Number(v);
      };
      const numeric = (c: string): boolean => Number.isFinite(value(c));
      let expected: { x: number[][]; y: number[] } | 'refuse' = 'refuse';
      if (tokenRows.length > 0) {
        const first = tokenRows[0];
        const nNum = first.filter(numeric).length;
        const isHeader = nNum === 0;
        const body = isHeader ? tokenRows.slice(1) : tokenRows;
        const width = first.length;
        const ok =
          (nNum === 0 || nNum === width) &&
          body.length > 0 &&
          width >= 2 &&
          body.every((t) => t.length === width && t.every(numeric));
        if (ok) {
          const y = body.map((t) => value(t[width - 1]));
          const classes = y.every((v) => Number.isInteger(v) && v >= 0) ? Math.max(...y) + 1 : 0;
          if (classes <= 10_000) expected = { x: body.map((t) => t.slice(0, -1).map(value)), y };
        }
      }

      let d: ReturnType<typeof parseCsv>;
      try {
        d = parseCsv(text, { source: 'fuzz.csv' });
      } catch (e) {
        expectCleanRefusal(e, 'fuzz.csv: ', what, 600);
        if (!unsure) expect(expected, `${what}: refused, but the reference reads it`).toBe('refuse');
        refused++;
        return;
      }
      parsed++;
      for (const v of d.x.values()) expect(Number.isFinite(v), what).toBe(true);
      for (const v of d.y.values()) expect(Number.isFinite(v), what).toBe(true);
      if (d.classification) expect(d.numClasses, what).toBeLessThanOrEqual(10_000);
      if (unsure) return;
      expect(expected, `${what}: accepted, but the reference refuses it`).not.toBe('refuse');
      const ref = expected as { x: number[][]; y: number[] };
      expect(d.x.shape, what).toEqual([ref.x.length, ref.x[0].length]);
      expect(Array.from(d.x.values()), what).toEqual(ref.x.flat());
      expect(Array.from(d.y.values()), what).toEqual(ref.y);
    });
    expect(parsed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expectBounded(stats, 'csv');
    console.log(`fuzz csv: ${stats.cases} cases, ${refused} refused, ${parsed} parsed; slowest ${stats.slowestMs.toFixed(0)} ms, total ${stats.totalMs.toFixed(0)} ms, peak heap ${stats.peakHeapMB.toFixed(0)} MB`);
  });
});
