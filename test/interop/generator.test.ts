// test/fixtures/generate.py reproduces the committed PyTorch golden values (live: needs torch).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { python, torch, underCi } from './torch.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const GENERATOR = path.join(FIXTURES, 'generate.py');

interface RawTensor {
  shape: number[];
  data: number[];
}
interface Expected {
  cases: { file: string; dtype: string; config: unknown; x: RawTensor; output: RawTensor; gates: RawTensor[] }[];
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('the fixture generator (live)', () => {
  it.runIf(underCi)('has PyTorch when run under CI', () => {
    expect(torch.ok, `CI is set but the generator cannot run: ${torch.why}`).toBe(true);
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-generate-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!torch.ok)(`regenerates torch-parity.json to 1e-12 (${torch.why})`, () => {
    const out = python(GENERATOR, '--check');
    const m = /largest relative difference from the committed torch-parity.json: (\S+) at/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(1e-12);
  });

  it.skipIf(!torch.ok)('regenerates the safetensors fixtures: same names, shapes, dtypes and values (1e-12)', () => {
    python(GENERATOR, '--safetensors', dir);
    const committed = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'safetensors', 'expected.json'), 'utf8')) as Expected;
    const fresh = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
    expect(fresh.cases.map((c) => [c.file, c.dtype, c.config])).toEqual(committed.cases.map((c) => [c.file, c.dtype, c.config]));
    fresh.cases.forEach((c, i) => {
      const ref = committed.cases[i];
      expect(maxDiff(c.x.data, ref.x.data)).toBeLessThanOrEqual(1e-12);
      expect(maxDiff(c.output.data, ref.output.data)).toBeLessThanOrEqual(1e-12);
      const a = parseSafetensors(new Uint8Array(fs.readFileSync(path.join(dir, c.file))));
      const b = parseSafetensors(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'safetensors', c.file))));
      expect(a.metadata).toEqual(b.metadata);
      expect(a.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(b.tensors.map((t) => [t.name, t.dtype, t.shape]));
      a.tensors.forEach((t, j) => expect(maxDiff(t.tensor.values(), b.tensors[j].tensor.values())).toBeLessThanOrEqual(1e-12));
    });
  });
});
