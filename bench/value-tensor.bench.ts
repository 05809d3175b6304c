// The DLGN-VT head (gates -> value tensor -> cross-entropy -> backward) two ways, in one run:
// the contraction the model runs (meet in the middle: the two halves' path activities by row-wise
// outer products, one [n, P_B] x [P_B, k P_F] product, one row-wise contraction) against building
// the [n, P] matrix of all path activities and one [n, P] x [P, k] product (what DLGN-VT ran before). Rounds interleave the two;
// medians of the same run. A measurement, not a test.
//
//   npm run build && node --import tsx bench/value-tensor.bench.ts [--rounds 7]
//
// Writes bench/results/value-tensor.json and prints one table.
import { Var } from '../dist/autograd/engine.js';
import { crossEntropy } from '../dist/autograd/ops/loss.js';
import { matmul, rowContract, rowOuter } from '../dist/autograd/ops/linalg.js';
import { reshape, transpose } from '../dist/autograd/ops/movement.js';
import { Rng } from '../dist/tensor/random.js';
import { Tensor } from '../dist/tensor/tensor.js';
import { machineInfo, machineLine, median, writeResult } from './common.js';

const argv = process.argv.slice(2);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 7;
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`value-tensor bench: --rounds must be a positive integer, got ${rounds}`);

// 6x4 and 10x4 (the paper's size) at E6's batches: 128 (grid recipe) and 3000 (SDII, follow-up recipe)
const cases = [
  { widths: [6, 6, 6, 6], batch: 128 },
  { widths: [6, 6, 6, 6], batch: 3000 },
  { widths: [10, 10, 10, 10], batch: 128 },
  { widths: [10, 10, 10, 10], batch: 3000 },
];
const k = 2;

function step(contract: boolean, gates: Tensor[], value: Tensor, labels: Tensor): { ms: number; out: Tensor } {
  const t0 = performance.now();
  const gs = gates.map((g) => new Var(g, true));
  const v = new Var(value, true);
  const P = value.size / k;
  let out: Var;
  if (contract) {
    const s = gs.length / 2; // the model's split for equal widths and k = 2
    let front: Var = gs[0], back: Var = gs[s];
    for (let l = 1; l < s; l++) front = rowOuter(front, gs[l]);
    for (let l = s + 1; l < gs.length; l++) back = rowOuter(back, gs[l]);
    out = rowContract(matmul(back, transpose(reshape(v, [k * front.shape[1], back.shape[1]]))), front);
  } else {
    let phi: Var = gs[0];
    for (let l = 1; l < gs.length; l++) phi = rowOuter(phi, gs[l]);
    out = matmul(phi, transpose(reshape(v, [k, P])));
  }
  crossEntropy(out, labels).backward();
  return { ms: performance.now() - t0, out: out.value };
}

const rows: { widths: number[]; batch: number; contractMs: number; materialisedMs: number; speedup: number; maxAbsDiff: number }[] = [];
for (const c of cases) {
  const rng = new Rng(1);
  const gates = c.widths.map((m) => Tensor.fromArray(Float64Array.from({ length: c.batch * m }, () => rng.uniform())).reshape([c.batch, m]));
  const P = c.widths.reduce((a, b) => a * b, 1);
  const value = Tensor.fromArray(Float64Array.from({ length: k * P }, () => rng.uniformRange(-0.01, 0.01))).reshape([k, ...c.widths]);
  const labels = Tensor.fromArray(Float64Array.from({ length: c.batch }, (_, i) => i % 2));
  const con: number[] = [], mat: number[] = [];
  // warm-up by time (~0.5 s each), then interleaved rounds
  for (const contract of [true, false]) for (const t0 = performance.now(); performance.now() - t0 < 500; ) step(contract, gates, value, labels);
  let maxAbsDiff = 0;
  for (let r = 0; r < rounds; r++) {
    const a = step(true, gates, value, labels), b = step(false, gates, value, labels);
    con.push(a.ms);
    mat.push(b.ms);
    const x = a.out.values(), y = b.out.values();
    for (let i = 0; i < x.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x[i] - y[i]));
  }
  const cm = median(con), m = median(mat);
  rows.push({ widths: c.widths, batch: c.batch, contractMs: cm, materialisedMs: m, speedup: m / cm, maxAbsDiff });
}
const machine = machineInfo();
writeResult('value-tensor', { machine, rounds, k, rows });
console.log(machineLine(machine));
console.log('| paths | batch | meet in the middle (ms) | outer products + matmul (ms) | speed-up | max abs output difference |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.widths.join('x')} = ${r.widths.reduce((a, b) => a * b, 1)} | ${r.batch} | ${r.contractMs.toFixed(2)} | ${r.materialisedMs.toFixed(2)} | ${r.speedup.toFixed(2)}x | ${r.maxAbsDiff.toExponential(1)} |`);
}
