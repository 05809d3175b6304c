// Fuzz: CLI arguments. Random argv against the train command's table, in process (every accessor
// against a reference reading of numbers), and a few real runs of the built CLI with garbage
// flags: a usage error (exit 2) or a failure (exit 1) with one short message, never a stack trace.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Flags, UsageError, parseArgs } from '../../src/cli/args.js';
import { trainSpec } from '../../src/cli/commands/train.js';
import { cases, expectBounded, expectCleanRefusal, fuzzLoop, gen } from './fuzz.js';

const VALUES = ['', ' ', '0', '1', '-1', '2.5', '1e3', '1e400', 'NaN', 'Infinity', '-Infinity', '0x10', '0b1', '1_000', '١٢', '5 ', ' 5', '+3', '.5', '5.', '-0', '4,4', '4,,4', '4,0', ',', 'abc', '--', '-', `${'9'.repeat(400)}`, 'x'.repeat(5000)];
const NUMERIC: readonly [string, 'int' | 'positive-int' | 'positive' | 'nonneg'][] = [
  ['epochs', 'positive-int'], ['batch', 'positive-int'], ['n', 'positive-int'], ['seed', 'int'], ['lr', 'nonneg'], ['momentum', 'nonneg'], ['beta', 'positive'], ['noise', 'nonneg'],
];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const refNumber = (s: string, check: string): number | undefined => {
  if (!DECIMAL.test(s)) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v)) return undefined;
  const ok = check === 'int' ? Number.isInteger(v) : check === 'positive-int' ? Number.isInteger(v) && v > 0 : check === 'positive' ? v > 0 : v >= 0;
  return ok ? v : undefined;
};

describe('fuzz: CLI flags', () => {
  it(`numeric flags: accepted exactly when the reference reads a valid decimal (${cases(2000)} cases)`, () => {
    const g = gen(3);
    const stats = fuzzLoop(cases(2000), (i) => {
      const [name, check] = g.pick(NUMERIC);
      const v = g.chance(0.8) ? g.pick(VALUES) : String(g.int(-5, 5) * 10 ** g.int(-3, 3));
      const argv = g.chance(0.5) ? [`--${name}`, v] : [`--${name}=${v}`];
      const what = `case ${i}: ${JSON.stringify(argv).slice(0, 100)}`;
      let got: number | undefined;
      try {
        got = new Flags(parseArgs(argv, trainSpec), trainSpec).number(name, -12345, check);
      } catch (e) {
        expect(e, what).toBeInstanceOf(UsageError);
        expectCleanRefusal(e, `--${name}`, what, 300);
        // a value that looks like an option is "missing"; anything else is quoted back
        const ref = refNumber(v, check);
        if (!(argv.length === 2 && v.startsWith('--') && v.length > 2)) expect(ref, what).toBeUndefined();
        return;
      }
      expect(got, what).toBe(refNumber(v, check));
    });
    expectBounded(stats, 'flags');
  });

  it(`random argv: parsed, or a UsageError naming the option (${cases(1500)} cases)`, () => {
    const g = gen(4);
    const names = [...trainSpec.options.map((o) => o.name), 'epoch', 'lrr', 'x', ''];
    const stats = fuzzLoop(cases(1500), (i) => {
      const argv: string[] = [];
      for (let k = g.int(0, 6); k > 0; k--) {
        const r = g.next();
        if (r < 0.6) argv.push(`--${g.pick(names)}`);
        else if (r < 0.7) argv.push(`-${g.pick(names).slice(0, 1)}`);
        else if (r < 0.75) argv.push('--');
        else argv.push(g.pick(VALUES));
      }
      const what = `case ${i}: ${JSON.stringify(argv).slice(0, 150)}`;
      try {
        const f = new Flags(parseArgs(argv, trainSpec), trainSpec);
        // every declared accessor either reads or refuses as a UsageError
        for (const [name, check] of NUMERIC) {
          try {
            f.number(name, 1, check);
          } catch (e) {
            expect(e, what).toBeInstanceOf(UsageError);
            expectCleanRefusal(e, `--${name}`, what, 300);
          }
        }
        try {
          f.intList('widths', [1]);
        } catch (e) {
          expect(e, what).toBeInstanceOf(UsageError);
          expectCleanRefusal(e, '--widths', what, 300);
        }
      } catch (e) {
        expect(e, what).toBeInstanceOf(UsageError);
        expect((e as Error).message, what).toMatch(/^(unknown option|--|unexpected argument)/);
        expect((e as Error).message.length, what).toBeLessThan(400);
      }
    });
    expectBounded(stats, 'argv');
  });

  it(`the built CLI on garbage flags: exit 1 or 2, one short message, no stack trace (${cases(8)} runs)`, () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const bin = path.join(root, 'bin', 'halfspace.js');
    if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first (`npm test` does)');
    const g = gen(5);
    for (let i = 0; i < cases(8); i++) {
      const [name] = g.pick(NUMERIC);
      const bad = g.pick(['', 'abc', '0x10', '1e400', 'NaN', '-1', 'x'.repeat(5000), '1.5']);
      const argv = ['train', '--dataset', g.pick(['disk', 'xor', 'nope']), '--out', '/proc/halfspace-fuzz/out', '--quiet', `--${name}=${bad}`];
      if (g.chance(0.3)) argv.push('--widths', g.pick(['4,,4', '0', '1e9', '20000,20000']));
      const r = spawnSync(process.execPath, [bin, ...argv], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      const what = `run ${i}: ${JSON.stringify(argv.slice(1)).slice(0, 150)}`;
      expect([1, 2], `${what}: status ${r.status}`).toContain(r.status);
      expect(r.stderr, what).toMatch(/^halfspace train: /);
      expect(r.stderr, what).not.toMatch(/\n\s+at |RangeError|TypeError/);
      expect(r.stderr.length, what).toBeLessThan(600);
      expect(r.stdout, what).toBe('');
    }
  });
});
