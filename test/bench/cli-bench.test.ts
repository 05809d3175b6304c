// `halfspace bench step`: the stable JSON interface (three keys), threads, and argument errors; plus the bench helpers.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fmtMs, fmtRatio, markdownTable, median, table } from '../../bench/common.js';
import { configOf, nominalFlops, stepCases } from '../../bench/step.bench.js';
import { valueTensorSplit } from '../../bench/peers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'halfspace.js');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--input', '6', '--widths', '5,3', '--classes', '3', '--batch', '7', '--steps', '3'];

describe('halfspace bench step', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
      throw new Error('dist/cli/main.js is missing: run `npm run build` first (`npm test` does)');
    }
  });

  it.each(['dlgn', 'dlgn-sf', 'relu', 'linear'])('--model %s --json prints exactly {medianMs, steps, threads}', (model) => {
    const r = cli('bench', 'step', '--model', model, ...TINY, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['medianMs', 'steady', 'steps', 'threads', 'warmupMs', 'warmupSteps']);
    // warm-up by time: at least half a second of whole windows of steps, not a fixed few steps
    expect(out.warmupMs as number).toBeGreaterThanOrEqual(500);
    expect((out.warmupSteps as number) % 10).toBe(0);
    expect(out.warmupSteps as number).toBeGreaterThan(10);
    expect(typeof out.steady).toBe('boolean');
    expect(typeof out.medianMs).toBe('number');
    expect(out.medianMs as number).toBeGreaterThan(0);
    expect(out.steps).toBe(3);
    expect(out.threads).toBe(1);
  });

  it('--threads 2 runs the worker pool from dist and exits', () => {
    const r = cli('bench', 'step', '--model', 'relu', '--input', '40', '--widths', '64', '--classes', '3', '--batch', '64', '--steps', '2', '--threads', '2', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: 2, threads: 2 });
  });

  it('prints a readable line without --json, and help', () => {
    const r = cli('bench', 'step', '--model', 'dlgn', ...TINY);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^dlgn 6-\[5,3\]-3 batch 7: [0-9.]+ ms per training step \(median of 3 after [0-9]+ warm-up steps(, not yet steady)?; 1 thread, float64, Adam, cross-entropy\)\n$/);
    const h = cli('bench', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('--json');
  });

  it('names the bad argument', () => {
    expect(cli('bench', 'step', '--model', 'cnn').stderr).toMatch(/--model must be one of dlgn, dlgn-sf, relu, linear, got 'cnn'/);
    expect(cli('bench', 'step', '--threads', '0').stderr).toMatch(/--threads must be a positive integer or auto, got '0'/);
    expect(cli('bench', 'step', '--steps', '-1').stderr).toMatch(/--steps must be a positive integer/);
    expect(cli('bench', 'step', '--stepz', '3').stderr).toMatch(/unknown option --stepz/);
    expect(cli('bench', 'walk').stderr).toMatch(/bench: unknown benchmark 'walk' \(expected step, gemm\)/);
    expect(cli('bench', 'step', '--classes', '1', ...TINY.slice(0, 4)).status).toBe(2);
  });
});

describe('halfspace bench gemm', () => {
  it('--json prints GFLOP/s with the kernel, threads and warm-up; both kernels run', () => {
    for (const kernel of ['wasm-simd', 'javascript']) {
      const r = cli('bench', 'gemm', '--n', '64', '--samples', '3', '--kernel', kernel, '--json');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(out).sort()).toEqual(['gflops', 'kernel', 'medianMs', 'n', 'samples', 'steady', 'threads', 'warmupRuns']);
      expect(out).toMatchObject({ n: 64, samples: 3, threads: 1, kernel });
      expect(out.gflops as number).toBeCloseTo((2 * 64 ** 3) / (out.medianMs as number) / 1e6, 9);
    }
    const h = cli('bench', 'gemm', '--n', '48', '--samples', '2');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^gemm 48x48x48 float64: [0-9.]+ GFLOP\/s \([0-9.]+ ms, median of 2, 1 thread, wasm-simd kernel/);
  });

  it('--threads 2 splits the product across the worker pool', () => {
    const r = cli('bench', 'gemm', '--n', '128', '--samples', '2', '--threads', '2', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 128, threads: 2 });
  });

  it('names the bad argument', () => {
    expect(cli('bench', 'gemm', '--kernel', 'asm.js').stderr).toMatch(/--kernel must be one of wasm-simd, javascript, got 'asm.js'/);
    expect(cli('bench', 'gemm', '--n', '0').stderr).toMatch(/--n must be a positive integer/);
    expect(cli('bench', 'gemm', '--n', '100000').stderr).toMatch(/--n must be at most 8192/);
  });
});

describe('bench helpers', () => {
  it('median, formatting and tables', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(fmtMs(0.12345)).toBe('0.123');
    expect(fmtMs(12.345)).toBe('12.3');
    expect(fmtRatio(2.5)).toBe('2.50x');
    expect(fmtRatio(NaN)).toBe('-');
    expect(table(['a', 'bb'], [['x', '1'], ['yy', '22']])).toBe('a   bb\n--  --\nx    1\nyy  22');
    expect(markdownTable(['a', 'b'], [['x|y', '1']])).toBe('| a | b |\n| --- | ---: |\n| x\\|y | 1 |');
  });

  it('the step cases are the issue\'s: every family at paper scale, and the Fashion-MNIST scale', () => {
    const ids = stepCases(false).map((c) => c.id);
    expect(ids).toContain('dlgn 2-[16x4]-2 b256');
    expect(ids).toContain('dlgn 20-[20x4]-2 b100');
    expect(ids).toContain('dlgn 784-[128x4]-10 b256');
    expect(ids).toContain('relu 784-512-512-10 b256');
    for (const f of ['dlgn-sf', 'relu', 'linear']) expect(ids).toContain(`${f} 2-[16x4]-2 b256`);
    expect(configOf(stepCases(true)[0].spec)).toMatchObject({ kind: 'dlgn', features: 'cf', beta: 10 });
  });

  it('DLGN-VT at the paper\'s size at E6\'s two batches, as our dlgn-vt with sf gates; the split is the model\'s', () => {
    const cases = stepCases(false);
    const ids = cases.map((c) => c.id);
    expect(ids).toContain('dlgn-vt 20-[10x4]-2 b128');
    expect(ids).toContain('dlgn-vt 100-[10x4]-2 b3000');
    const big = cases.find((c) => c.id === 'dlgn-vt 100-[10x4]-2 b3000')!;
    expect(big.heavy).toBe(true);
    expect(cases.find((c) => c.id === 'dlgn-vt 20-[10x4]-2 b128')!.heavy).toBe(false);
    expect(configOf(big.spec)).toEqual({ kind: 'dlgn-vt', features: 'sf', beta: 10, inputDim: 100, widths: [10, 10, 10, 10], outputDim: 2 });
    // 10x4 with k = 2: front 2 layers (P_F = 100), back 2 (P_B = 100); 6x4 likewise; 3 layers of 10: front 1
    expect(valueTensorSplit([10, 10, 10, 10], 2)).toBe(2);
    expect(valueTensorSplit([10, 10, 10], 2)).toBe(1);
    expect(valueTensorSplit([6, 6, 6, 6], 2)).toBe(2);
    // the shallow gates (2 n d m each, no input gradient) plus 3 n k P for the head's product and its gradients
    expect(nominalFlops(big.spec)).toBe(2 * (4 * 2 * 3000 * 100 * 10 + 3 * 3000 * 2 * 1e4));
  });
});
