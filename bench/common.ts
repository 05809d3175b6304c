// Shared bench plumbing: machine description, tinybench medians, seeded inputs, text tables, result files.

import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { gemmKernel } from '../dist/tensor/gemm.js';
import { Rng } from '../dist/tensor/random.js';

export interface MachineInfo {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  memoryGB: number;
  platform: string;
  arch: string;
  /** 1-minute load average when the suite started: other work on a shared machine shows here. */
  loadAvg1: number;
  /** The kernel of the engine's blocked matrix products: 'wasm-simd' (WebAssembly SIMD) or 'javascript' (the fallback). */
  kernel?: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    platform: platform(),
    arch: arch(),
    loadAvg1: Number(loadavg()[0].toFixed(2)),
    kernel: gemmKernel(),
  };
}

/** One line naming the machine, for the top of every table. */
export function machineLine(m: MachineInfo): string {
  return `node ${m.node} (V8 ${m.v8}) | ${m.cpu} | ${m.cores} cores | ${m.memoryGB} GB | ${m.platform}/${m.arch} | load ${m.loadAvg1}${m.kernel ? ` | gemm kernel ${m.kernel}` : ''}`;
}

/** A sampling budget for tinybench: it runs until both the time (ms) and the iteration count are reached. */
export interface Budget {
  time: number;
  iterations: number;
  warmupTime: number;
  warmupIterations: number;
}

export interface Sample {
  /** Median milliseconds per call. */
  ms: number;
  samples: number;
  /** Every sample, ms (kept so rounds can be pooled). */
  all: number[];
}

/** Runs one synchronous task under tinybench and returns its median and samples. */
export function measure(name: string, fn: () => void, b: Budget): Sample {
  const bench = new Bench({ name, throws: true, retainSamples: true, ...b, warmup: b.warmupIterations > 0 || b.warmupTime > 0 });
  bench.add(name, fn, { async: false });
  const [task] = bench.runSync();
  const r = task?.result;
  if (!r || (r.state !== 'completed' && r.state !== 'aborted-with-statistics')) {
    throw new Error(`bench: task ${name} did not complete (state ${r?.state ?? 'missing'})`);
  }
  const all = (r.latency.samples ?? []).slice();
  return { ms: r.latency.p50, samples: r.latency.samplesCount, all };
}

/** Median of a list of numbers (NaN for an empty list). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Uniform values in [-1, 1) from a seed. */
export function randomArray(n: number, seed: number): Float64Array {
  // the engine's own seeded generator: every run computes on the same numbers
  return new Rng(seed).uniformArray(n, -1, 1);
}

/** A fixed-width text table; the first `left` columns are left-aligned, the rest right-aligned. */
export function table(head: string[], rows: string[][], left = 1): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < left ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table as GitHub markdown. */
export function markdownTable(head: string[], rows: string[][], left = 1): string {
  const sep = head.map((_, i) => (i < left ? '---' : '---:'));
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [head, sep, ...rows].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

/** Formats milliseconds with three significant digits. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** "12.3x" style ratio, "-" when missing. */
export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '-';
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Writes bench/results/<suite>.json; returns the path. */
export function writeResult(suite: string, payload: unknown): string {
  const out = join(BENCH_DIR, 'results', `${suite}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(payload, null, 2)}\n`);
  return out;
}
