// Training-step suite: one step (forward, cross-entropy, backward, Adam) per family and scale, ours against tfjs cpu, tfjs-wasm and PyTorch.
//
// Run alone (after npm run build): node --expose-gc --import tsx bench/step.bench.ts [--quick] [--only TEXT]   (or `npm run bench -- --suite step`)
// Every engine starts from the same initial parameters (ours, exported) and trains on the same
// batch; engines are interleaved round by round and the ratios are medians of the same run.
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { type ModelConfig } from '../dist/models/config.js';
import { type Model, createModel } from '../dist/models/families.js';
import { Adam } from '../dist/models/optim.js';
import { Trainer, lossOf } from '../dist/models/train.js';
import { allocShared, setThreads, threadsReady } from '../dist/node/threads.js';
import { Rng } from '../dist/tensor/random.js';
import { matmul as tensorMatmul } from '../dist/tensor/linalg.js';
import { Tensor } from '../dist/tensor/tensor.js';
import {
  type Budget, type MachineInfo, fmtMs, fmtRatio, machineInfo, machineLine, markdownTable, measure, median, table, writeResult,
} from './common.js';
import { type ModelSpec, type Params, type Tfjs, TorchWorker, loadTfjs, tfjsStep, useBackend, valueTensorSplit } from './peers.js';

export interface StepCase {
  /** `dlgn 2-[16x4]-2 b256` style. */
  id: string;
  scale: 'paper' | 'fashion';
  /** Heavy cases (Fashion-MNIST scale, DLGN-VT at batch 3000) get few long samples and a two-thread run. */
  heavy: boolean;
  spec: ModelSpec;
}

/** Our model config for a spec (beta 10, soft gates, v_0 = ones: the DLGN defaults). */
export function configOf(spec: ModelSpec): ModelConfig {
  const base = { inputDim: spec.inputDim, widths: spec.widths, outputDim: spec.classes };
  switch (spec.family) {
    case 'dlgn': return { ...base, kind: 'dlgn', features: 'cf', beta: spec.beta };
    case 'dlgn-sf': return { ...base, kind: 'dlgn', features: 'sf', beta: spec.beta };
    case 'relu': return { ...base, kind: 'dnn' };
    case 'linear': return { ...base, kind: 'dln' };
    case 'dlgn-vt': return { ...base, kind: 'dlgn-vt', features: 'sf', beta: spec.beta };
  }
}

function arch(spec: ModelSpec): string {
  const w = spec.widths;
  const hidden = w.every((x) => x === w[0]) && w.length > 2 ? `[${w[0]}x${w.length}]` : w.join('-');
  return `${spec.inputDim}-${hidden}-${spec.classes}`;
}

function makeCase(scale: 'paper' | 'fashion', family: ModelSpec['family'], inputDim: number, widths: number[], classes: number, batch: number): StepCase {
  const spec: ModelSpec = { family, inputDim, widths, classes, batch, beta: 10 };
  return { id: `${family} ${arch(spec)} b${batch}`, scale, heavy: scale === 'fashion' || nominalFlops(spec) > 1e8, spec };
}

/** The issue's cases: every family at paper scale, and at Fashion-MNIST scale. */
export function stepCases(quick: boolean): StepCase[] {
  const families: ModelSpec['family'][] = quick ? ['dlgn', 'relu'] : ['dlgn', 'dlgn-sf', 'relu', 'linear'];
  const out: StepCase[] = [];
  for (const f of families) out.push(makeCase('paper', f, 2, [16, 16, 16, 16], 2, 256));
  for (const f of families) out.push(makeCase('paper', f, 20, [20, 20, 20, 20], 2, 100));
  for (const f of quick ? ['dlgn'] as const : ['dlgn', 'dlgn-sf'] as const) out.push(makeCase('fashion', f, 784, [128, 128, 128, 128], 10, 256));
  out.push(makeCase('fashion', 'relu', 784, [512, 512], 10, 256));
  // DLGN-VT at the authors' size, 4 layers of 10 (10^4 paths), at E6's two batches (grid recipe
  // 128, follow-up recipe 3000), and 4 layers of 6 (what E6 ran before)
  if (!quick) out.push(makeCase('paper', 'dlgn-vt', 2, [6, 6, 6, 6], 2, 256));
  out.push(makeCase('paper', 'dlgn-vt', 20, [10, 10, 10, 10], 2, 128));
  if (!quick) out.push(makeCase('paper', 'dlgn-vt', 100, [10, 10, 10, 10], 2, 3000));
  return out;
}

/**
 * Floating-point operations of one step as PyTorch runs it (products only, 2 per multiply-add):
 * every layer's forward product and weight gradient, and the input gradient of every layer whose
 * input requires grad (not the data x, not DLGN's all-ones v_0). Elementwise work is left out.
 */
export function nominalFlops(spec: ModelSpec): number {
  const n = spec.batch;
  const d = spec.inputDim;
  const w = spec.widths;
  const L = w.length;
  let macs = 0;
  const layer = (inDim: number, outDim: number, needDx: boolean): void => {
    macs += n * inDim * outDim * (needDx ? 3 : 2);
  };
  if (spec.family === 'dlgn-vt') {
    // shallow gates from x, then the value-tensor head counted as the engine contracts it (meet in
    // the middle): its product and the product's two gradients, 3 n k P; the row-wise outer
    // products and the contraction (n k P_F and n P_F + n P_B per pass) are left out
    for (const m of w) layer(d, m, false);
    return 2 * (macs + 3 * n * spec.classes * w.reduce((a, b) => a * b, 1));
  }
  if (spec.family === 'relu' || spec.family === 'linear') {
    const dims = [d, ...w, spec.classes];
    for (let l = 0; l + 1 < dims.length; l++) layer(dims[l], dims[l + 1], l > 0);
    return 2 * macs;
  }
  for (let l = 0; l < L; l++) {
    const sf = spec.family === 'dlgn-sf';
    layer(sf || l === 0 ? d : w[l - 1], w[l], !sf && l > 0); // gate
    layer(l === 0 ? d : w[l - 1], w[l], l > 0); // value
  }
  layer(w[L - 1], spec.classes, true);
  return 2 * macs;
}

export interface HeapResult {
  /** Steps between the two readings. */
  steps: number;
  /** (heap after - heap before) / steps, both read after a full GC: memory the loop keeps. */
  retainedBytesPerStep: number;
  /** JS-heap bytes allocated per step (sampling heap profiler, collected objects included): garbage made. */
  allocatedBytesPerStep: number;
  /** Typed-array (ArrayBuffer) bytes allocated per step: tensor memory. */
  arrayBufferBytesPerStep: number;
  /** The same two figures for the plain tape loop, without the Trainer's workspace. */
  plainAllocatedBytesPerStep: number;
  plainArrayBufferBytesPerStep: number;
}

export interface StepRow {
  id: string;
  scale: 'paper' | 'fashion';
  spec: ModelSpec;
  /** Median ms per step by engine: 'ours', 'ours 2T', 'tfjs cpu', 'tfjs wasm', 'torch' (for DLGN-VT meet in the middle in torch ops), 'torch einsum' (DLGN-VT). */
  ms: Record<string, number>;
  samples: Record<string, number>;
  /** Loss of the first step by engine (same initial parameters and batch: a check they train the same model). */
  loss0: Record<string, number>;
  /**
   * DLGN-VT: median ms of the head's three matrix products alone (forward [n, P_B] x [P_B, k P_F],
   * its input and weight gradients) on the step's shapes, our kernel, one thread.
   */
  headProductsMs?: number;
  heap?: HeapResult;
}

export interface StepSuiteResult {
  bench: 'step';
  date: string;
  machine: MachineInfo;
  options: { quick: boolean; rounds: number };
  torch?: string;
  skipped: string[];
  seconds: number;
  rows: StepRow[];
}

/** The same data for every engine: x in [0, 1) (pixel-like) or N(0, 1), labels uniform. */
function batchOf(spec: ModelSpec, seed: number): { x: Float64Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(spec.batch * spec.inputDim);
  for (let i = 0; i < x.length; i++) x[i] = spec.inputDim > 100 ? rng.uniform() : rng.normal(0, 1);
  const labels = new Int32Array(spec.batch);
  for (let i = 0; i < labels.length; i++) labels[i] = rng.integer(0, spec.classes);
  return { x, labels };
}

function paramsOf(model: Model): Params {
  const out: Params = {};
  for (const [name, p] of model.namedParameters()) out[name] = { shape: p.shape.slice(), data: Float64Array.from(p.value.data) };
  return out;
}

function ourTrainer(spec: ModelSpec, shared: boolean): { model: Model; trainer: Trainer } {
  const model = createModel(configOf(spec), { rng: 7 });
  const trainer = new Trainer(model, { loss: 'ce', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), allocate: shared ? allocShared : undefined });
  return { model, trainer };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * Bytes allocated per step, by V8's sampling heap profiler with collected objects included (so
 * garbage counts, not only what survives): a statistical estimate, one sample per ~256 bytes.
 * Typed-array contents live outside the JS heap; their allocation shows as array-buffer growth
 * between consecutive steps (`arrayBuffers` only drops when a GC frees some).
 */
async function allocationRate(step: () => void, steps: number): Promise<{ heap: number; ab: number }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    let grown = 0;
    let last = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < steps; i++) {
      step();
      const a = process.memoryUsage().arrayBuffers;
      if (a > last) grown += a - last;
      last = a;
    }
    const { profile } = await session.post('HeapProfiler.stopSampling');
    interface Node { selfSize: number; children: Node[] }
    let total = 0;
    const walk = (n: Node): void => {
      total += n.selfSize;
      for (const c of n.children) walk(c);
    };
    walk(profile.head as unknown as Node);
    return { heap: total / steps, ab: grown / steps };
  } finally {
    session.disconnect();
  }
}

async function heapCheck(spec: ModelSpec, x: Tensor, y: Tensor, steps: number, sampled: number): Promise<HeapResult> {
  const { model, trainer } = ourTrainer(spec, false);
  for (let i = 0; i < 20; i++) trainer.step(x, y);
  gc();
  gc();
  const m0 = process.memoryUsage();
  for (let i = 0; i < steps; i++) trainer.step(x, y);
  gc();
  gc();
  const m1 = process.memoryUsage();
  const retained = (m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers)) / steps;
  const ours = await allocationRate(() => trainer.step(x, y), sampled);
  // the plain tape loop on the same model and optimiser: every tensor freshly allocated
  const opt = trainer.optimizer;
  const plainStep = (): void => {
    opt.zeroGrad();
    lossOf('ce', model.forward(x), y).backward();
    opt.step();
  };
  for (let i = 0; i < 20; i++) plainStep();
  const plain = await allocationRate(plainStep, sampled);
  return {
    steps,
    retainedBytesPerStep: retained,
    allocatedBytesPerStep: ours.heap,
    arrayBufferBytesPerStep: ours.ab,
    plainAllocatedBytesPerStep: plain.heap,
    plainArrayBufferBytesPerStep: plain.ab,
  };
}

function budget(heavy: boolean, slow: boolean, quick: boolean): Budget {
  // warm-up by time, not by count: V8 needs ~0.5 s (a hundred small steps) before a step's time
  // is steady, for JavaScript and WebAssembly alike (halfspace bench step checks it)
  if (!heavy) return { time: quick ? 150 : 300, iterations: 30, warmupTime: 500, warmupIterations: 20 };
  return slow ? { time: 0, iterations: 2, warmupTime: 0, warmupIterations: 1 } : { time: 0, iterations: quick ? 5 : 6, warmupTime: 500, warmupIterations: 2 };
}

export interface StepBenchOptions {
  quick?: boolean;
  torch?: boolean;
  tfjs?: boolean;
  /** Run only the cases whose id contains this text (e.g. 'dlgn-vt'). */
  only?: string;
  log?: (line: string) => void;
}

export async function runStepBench(opts: StepBenchOptions = {}): Promise<StepSuiteResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const quick = opts.quick ?? false;
  const rounds = quick ? 1 : 3;
  const started = performance.now();
  const skipped: string[] = [];

  let tfjs: Tfjs | null = null;
  const tfBackends: ('cpu' | 'wasm')[] = [];
  if (opts.tfjs !== false) {
    const t = await loadTfjs();
    if (t.ok) {
      tfjs = t.value;
      for (const b of ['cpu', 'wasm'] as const) {
        const st = t.value.backends.get(b);
        if (st?.ok) tfBackends.push(b);
        else skipped.push(`tfjs ${b}: ${st === undefined ? 'not loaded' : st.reason}`);
      }
    } else skipped.push(`tfjs: ${t.reason}`);
  } else skipped.push('tfjs: disabled (--no-tfjs)');
  let torch: TorchWorker | null = null;
  if (opts.torch !== false) {
    const t = await TorchWorker.start();
    if (t.ok) torch = t.value;
    else skipped.push(`PyTorch: ${t.reason}`);
  } else skipped.push('PyTorch: disabled (--no-torch)');
  const threads = setThreads(2);
  let twoThreads = threads.threads === 2;
  if (twoThreads) {
    try {
      await threadsReady();
    } catch (e) {
      twoThreads = false;
      skipped.push(`ours 2T: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else skipped.push(`ours 2T: ${threads.reason ?? 'one thread only'}`);
  setThreads(1);
  for (const s of skipped) log(`  skipped ${s}`);

  const rows: StepRow[] = [];
  try {
    const cases = stepCases(quick).filter((c) => opts.only === undefined || c.id.includes(opts.only));
    if (cases.length === 0) throw new Error(`step bench: no case id contains '${opts.only}'`);
    await runCases(cases, rows, { quick, rounds, tfjs, tfBackends, torch, twoThreads, skipped, log });
  } finally {
    torch?.close();
    setThreads(1);
  }
  return {
    bench: 'step',
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: { quick, rounds },
    torch: torch?.version,
    skipped,
    seconds: (performance.now() - started) / 1e3,
    rows,
  };
}

interface RunContext {
  quick: boolean;
  rounds: number;
  tfjs: Tfjs | null;
  tfBackends: ('cpu' | 'wasm')[];
  torch: TorchWorker | null;
  twoThreads: boolean;
  skipped: string[];
  log: (line: string) => void;
}

async function runCases(cases: StepCase[], rows: StepRow[], ctx: RunContext): Promise<void> {
  const { quick, rounds, tfjs, tfBackends, torch, twoThreads, skipped, log } = ctx;
  for (const c of cases) {
    const { spec } = c;
    const data = batchOf(spec, 11);
    const x = Tensor.fromArray(Float64Array.from(data.x), [spec.batch, spec.inputDim]);
    const y = Tensor.fromArray(Float64Array.from(data.labels), [spec.batch]);
    const init = paramsOf(createModel(configOf(spec), { rng: 7 }));
    const samples = new Map<string, number[]>();
    const loss0: Record<string, number> = {};
    const add = (k: string, xs: number[]): void => {
      samples.set(k, [...(samples.get(k) ?? []), ...xs]);
    };
    for (let r = 0; r < rounds; r++) {
      // ours, one thread: a fresh model each round, same initial parameters
      {
        const { trainer } = ourTrainer(spec, false);
        const l0 = trainer.step(x, y);
        if (r === 0) loss0.ours = l0;
        const s = measure(`ours ${c.id}`, () => trainer.step(x, y), budget(c.heavy, false, quick));
        add('ours', s.all.length > 0 ? s.all : [s.ms]);
      }
      if (twoThreads && c.heavy) {
        setThreads(2);
        await threadsReady();
        const { trainer } = ourTrainer(spec, true);
        const xs = Tensor.fromArray(allocShared(x.size), x.shape); // the batch in shared memory too
        xs.data.set(x.data);
        trainer.step(xs, y);
        // warm-up of ~300 ms first: an idle worker's first products run several times slower
        const s = measure(`ours 2T ${c.id}`, () => trainer.step(xs, y), { ...budget(c.heavy, false, quick), warmupTime: 300, warmupIterations: 3 });
        add('ours 2T', s.all.length > 0 ? s.all : [s.ms]);
        setThreads(1);
      }
      if (tfjs !== null) {
        for (const b of tfBackends) {
          await useBackend(tfjs, b);
          const st = tfjsStep(tfjs, spec, init, data.x, data.labels);
          const l0 = st.step();
          if (r === 0) loss0[`tfjs ${b}`] = l0;
          const s = measure(`tfjs ${b} ${c.id}`, () => void st.step(), budget(c.heavy, b === 'cpu' || (b === 'wasm' && spec.widths[0] >= 512), quick));
          add(`tfjs ${b}`, s.all.length > 0 ? s.all : [s.ms]);
          st.dispose();
        }
      }
      if (torch !== null) {
        // DLGN-VT twice: meet in the middle in torch ops ('torch'), and the one torch.einsum call a
        // PyTorch user would write ('torch einsum'; left to right in torch 1.13: ~30x slower, fewer samples)
        const variants = spec.family === 'dlgn-vt' ? (['mitm', 'einsum'] as const) : (['mitm'] as const);
        for (const variant of variants) {
          const key = variant === 'einsum' ? 'torch einsum' : 'torch';
          const light = !c.heavy && variant === 'mitm';
          const steps = light ? (quick ? 100 : 300) : variant === 'einsum' ? (c.heavy ? 3 : quick ? 10 : 30) : quick ? 5 : 10;
          const warmup = light ? 30 : variant === 'einsum' && c.heavy ? 1 : 2;
          try {
            const res = await torch.run({ spec, params: init, x: data.x, labels: data.labels, steps, warmup, variant });
            if (r === 0) loss0[key] = res.loss0;
            add(key, res.samples);
          } catch (e) {
            skipped.push(`PyTorch ${variant} ${c.id}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    }
    const ms: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const [k, v] of samples) {
      ms[k] = median(v);
      counts[k] = v.length;
    }
    const row: StepRow = { id: c.id, scale: c.scale, spec, ms, samples: counts, loss0 };
    if (spec.family === 'dlgn-vt') row.headProductsMs = headProducts(spec, quick);
    if (!c.heavy || spec.widths[0] <= 128) row.heap = await heapCheck(spec, x, y, !c.heavy ? 1000 : quick ? 20 : 50, !c.heavy ? 200 : 20);
    rows.push(row);
    log(`  ${c.id}: ours ${fmtMs(ms.ours)} ms${ms['ours 2T'] ? `, 2 threads ${fmtMs(ms['ours 2T'])}` : ''}${Object.entries(ms).filter(([k]) => !k.startsWith('ours')).map(([k, v]) => `, ${k} ${fmtMs(v)}`).join('')}`);
  }
}

/**
 * The three matrix products of a DLGN-VT head on a step's shapes, timed alone with our kernel
 * (one thread): w = B V_r^T ([n, P_B] x [P_B, k P_F]), dB = G V_r and dV_r = G^T B, with V_r the
 * value tensor seen as [k P_F, P_B] and G the gradient of w. Shows how much of a step they are.
 */
function headProducts(spec: ModelSpec, quick: boolean): number {
  const k = spec.classes;
  const w = spec.widths;
  const s = valueTensorSplit(w, k);
  const pF = w.slice(0, s).reduce((a, b) => a * b, 1);
  const pB = w.slice(s).reduce((a, b) => a * b, 1);
  const rng = new Rng(3);
  const t = (rows: number, cols: number): Tensor => Tensor.fromArray(rng.uniformArray(rows * cols, -1, 1), [rows, cols]);
  const B = t(spec.batch, pB);
  const V = t(k * pF, pB);
  const G = t(spec.batch, k * pF);
  const run = (): void => {
    tensorMatmul(B, V.transpose([1, 0]));
    tensorMatmul(G, V);
    tensorMatmul(G.transpose([1, 0]), B);
  };
  return measure(`head products ${spec.batch}x${pB}x${k * pF}`, run, budget(nominalFlops(spec) > 1e8, false, quick)).ms;
}

const ENGINES = ['ours', 'ours 2T', 'tfjs cpu', 'tfjs wasm', 'torch', 'torch einsum'] as const;

/** Median ms per step by engine. */
export function stepTimeTable(r: StepSuiteResult, markdown = false): string {
  const engines = ENGINES.filter((e) => r.rows.some((row) => row.ms[e] !== undefined));
  const head = ['case', ...engines.map((e) => `${e} ms`)];
  const body = r.rows.map((row) => [row.id, ...engines.map((e) => fmtMs(row.ms[e] ?? NaN))]);
  return markdown ? markdownTable(head, body) : table(head, body);
}

/** Ratios pair by pair: peer median / our one-thread median (above 1: ours is faster); 2T speed-up. */
export function stepRatioTable(r: StepSuiteResult, markdown = false): string {
  const peers = ['tfjs cpu', 'tfjs wasm', 'torch', 'torch einsum'].filter((e) => r.rows.some((row) => row.ms[e] !== undefined));
  const has2 = r.rows.some((row) => row.ms['ours 2T'] !== undefined);
  const head = ['case', ...peers.map((p) => `${p} / ours`), ...(has2 ? ['torch / ours 2T', 'ours / ours 2T'] : [])];
  const body = r.rows.map((row) => {
    const o = row.ms.ours;
    const o2 = row.ms['ours 2T'];
    return [
      row.id,
      ...peers.map((p) => fmtRatio((row.ms[p] ?? NaN) / o)),
      ...(has2 ? [fmtRatio((row.ms.torch ?? NaN) / (o2 ?? NaN)), fmtRatio(o / (o2 ?? NaN))] : []),
    ];
  });
  return markdown ? markdownTable(head, body) : table(head, body);
}

/**
 * The first step's loss by engine, as differences from ours: every engine starts from the same
 * parameters and batch, so float64 PyTorch should agree to ~1e-12 and float32 tfjs to ~1e-6.
 */
export function stepLossTable(r: StepSuiteResult, markdown = false): string {
  const peers = ['torch', 'torch einsum', 'tfjs cpu', 'tfjs wasm'].filter((e) => r.rows.some((row) => row.loss0[e] !== undefined));
  const head = ['case', 'ours loss0', ...peers.map((p) => `${p} - ours`)];
  const diff = (a: number | undefined, b: number): string => (a === undefined ? '-' : (a - b).toExponential(1));
  const body = r.rows.map((row) => [row.id, row.loss0.ours?.toFixed(12) ?? '-', ...peers.map((p) => diff(row.loss0[p], row.loss0.ours))]);
  return markdown ? markdownTable(head, body) : table(head, body);
}

/**
 * DLGN-VT rows: what a step costs, against each peer, and how much of it the head's matrix
 * products are (timed alone on the step's shapes): the lines of RESULTS.md's DLGN-VT paragraph.
 */
export function valueTensorNote(r: StepSuiteResult): string[] {
  const lines: string[] = [];
  for (const row of r.rows.filter((x) => x.spec.family === 'dlgn-vt')) {
    const { spec } = row;
    const paths = spec.widths.reduce((a, b) => a * b, 1);
    const s = valueTensorSplit(spec.widths, spec.classes);
    const pF = spec.widths.slice(0, s).reduce((a, b) => a * b, 1);
    const pB = paths / pF;
    const o = row.ms.ours;
    const f = nominalFlops(spec);
    const peer = (key: string, label: string): string => (row.ms[key] === undefined ? '' : `, ${label} ${fmtMs(row.ms[key])} ms (${fmtRatio(row.ms[key] / o)} ours)`);
    const share = row.headProductsMs === undefined ? '' :
      `; the head's three products ([${spec.batch}, ${pB}] x [${pB}, ${spec.classes * pF}] and its two gradients) take ${fmtMs(row.headProductsMs)} ms alone, ` +
      `${((100 * row.headProductsMs) / o).toFixed(0)}% of our step`;
    const two = row.ms['ours 2T'] === undefined ? '' : ` (two threads ${fmtMs(row.ms['ours 2T'])} ms)`;
    lines.push(
      `- ${row.id} (${paths} paths): ours ${fmtMs(o)} ms per step${two}, ${((1e3 * o) / spec.batch).toFixed(1)} us per sample, ` +
        `${(f / (o * 1e6)).toFixed(1)} nominal GFLOP/s${peer('torch', 'PyTorch meet in the middle')}${peer('torch einsum', 'PyTorch einsum')}` +
        `${peer('tfjs cpu', 'tfjs cpu')}${peer('tfjs wasm', 'tfjs wasm')}${share}; ` +
        `loss0 PyTorch - ours ${row.loss0.torch === undefined ? '-' : (row.loss0.torch - row.loss0.ours).toExponential(1)}`,
    );
  }
  return lines;
}

/** Bytes per step of the Trainer against the plain tape loop. */
export function stepHeapTable(r: StepSuiteResult, markdown = false): string {
  const kb = (b: number): string => (Number.isFinite(b) ? (Math.abs(b) >= 1024 ? `${(b / 1024).toFixed(1)} kB` : `${b.toFixed(0)} B`) : '-');
  const head = ['case', 'steps', 'retained/step', 'tensor buffers/step', 'tape objects/step', 'plain loop: buffers/step', 'plain: objects/step'];
  const body = r.rows.filter((row) => row.heap !== undefined).map((row) => {
    const h = row.heap!;
    return [row.id, String(h.steps), kb(h.retainedBytesPerStep), kb(h.arrayBufferBytesPerStep), kb(h.allocatedBytesPerStep), kb(h.plainArrayBufferBytesPerStep), kb(h.plainAllocatedBytesPerStep)];
  });
  return markdown ? markdownTable(head, body) : table(head, body);
}

export function stepHeader(r: StepSuiteResult): string {
  return [
    'step: one training step (zero grads, forward, softmax cross-entropy, backward, Adam lr 1e-3), median ms',
    machineLine(r.machine),
    `options: ${r.options.quick ? 'quick; ' : ''}${r.options.rounds} round(s) per case, engines interleaved; same initial parameters and batch for every engine; ` +
      `ours float64 one thread ("2T": two threads, workspace in shared memory); tfjs float32 (cpu, wasm SIMD one thread); ` +
      `${r.torch ?? 'PyTorch not run'} float64 (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const at = process.argv.indexOf('--only');
  const only = at >= 0 ? process.argv[at + 1] : undefined;
  const r = await runStepBench({ quick, only, torch: !process.argv.includes('--no-torch'), tfjs: !process.argv.includes('--no-tfjs') });
  console.log(`\n${stepHeader(r)}\n\n${stepTimeTable(r)}\n\n${stepRatioTable(r)}\n\n${stepLossTable(r)}\n\n${stepHeapTable(r)}\n\n${valueTensorNote(r).join('\n')}`);
  console.log(`\nwrote ${writeResult('step', r)} (${r.seconds.toFixed(0)} s)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
