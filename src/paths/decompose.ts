// The exact mixture of paths: counts, lazy enumeration, top-k by dynamic programming, the path sum.

import { noGrad } from '../autograd/engine.js';
import type { Model, PathStructure } from '../models/families.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A path id as docs/fixtures.md fixes it: `[startLayer, startIndex, unit...]`. startLayer 0 starts at
 * input `startIndex` and visits one unit in every hidden layer; startLayer l in 1..L starts at
 * the bias of hidden layer l (startIndex -1) and visits layers l..L; startLayer L+1 is the
 * output bias alone. A dlgn-vt path is `[0, 0, i_1, ..., i_L]`.
 */
export type PathId = number[];

/** One path for one input: its value (per output), activity, and contribution (per output). */
export interface Path {
  id: PathId;
  /** Product of the weights along the path, times the output weight into each output c. */
  value: Float64Array;
  /** Product of the gates of the units visited (times x_i for an input start when v_0 = x). */
  activity: number;
  /** value[c] * activity: what the path adds to output c. */
  contribution: Float64Array;
}

/**
 * A model's paths as the functions here read them: its sizes and its `pathStructure()` (a value
 * network of layers, or a value tensor), which each family writes for itself.
 */
export type PathNet = { d: number; widths: number[]; k: number } & PathStructure;

/** The sizes and path structure of a model (docs/math.md). */
export function pathNet(model: Model): PathNet {
  const c = model.config;
  return { d: c.inputDim, widths: c.widths.slice(), k: c.outputDim, ...model.pathStructure() };
}

/**
 * The number of paths ending at one output, exactly, without enumeration:
 * d prod m_l input starts, plus (with biases) prod_{j >= l} m_j bias starts of each layer l and
 * the output bias; prod m_l for dlgn-vt. A bigint, since it passes 2^53 quickly.
 */
export function pathCount(model: Model): bigint {
  const net = pathNet(model);
  const m = net.widths.map(BigInt);
  const prod = (from: number): bigint => m.slice(from).reduce((a, b) => a * b, 1n);
  if (net.kind === 'value-tensor') return prod(0);
  let n = BigInt(net.d) * prod(0);
  net.biases.forEach((b, l) => {
    if (b !== null) n += prod(l);
  });
  if (net.outBias !== null) n += 1n;
  return n;
}

/** Gate values of one input, per hidden layer, from `model.gates`. */
function gatesOf(model: Model, x: Tensor): Float64Array[] {
  return model.gates(x).map((g) => g.values().slice());
}

function checkSample(op: string, model: Model, x: Tensor | ArrayLike<number>): Tensor {
  const d = model.config.inputDim;
  const t = x instanceof Tensor ? x : Tensor.fromArray(Float64Array.from(x as ArrayLike<number>));
  const row = t.ndim === 1 ? t.reshape([1, t.shape[0]]) : t;
  if (row.ndim !== 2 || row.shape[0] !== 1 || row.shape[1] !== d) {
    throw new Error(`${op}: expected one input of ${d} features ([${d}] or [1, ${d}]), got ${shapeStr(t.shape)}`);
  }
  const out = row.contiguous();
  const v = out.values();
  for (let j = 0; j < d; j++) {
    // a path's activity is a product of x and gates: a NaN or infinite feature has no decomposition
    if (!Number.isFinite(v[j])) throw new Error(`${op}: input feature ${j} is ${v[j]}; paths are defined for finite inputs`);
  }
  return out;
}

/** Options for enumeration. */
export interface EnumerateOptions {
  /** Refuse when the path count exceeds this (default 1 000 000). */
  limit?: number;
}

/**
 * Every path of the model for input x, lazily, in id order (input starts, then bias starts
 * layer by layer, then the output bias). Refused above `limit` with an error stating the count.
 *
 * @example
 * ```ts
 * for (const p of enumeratePaths(net, [0.3, -0.2])) console.log(p.id, p.contribution);
 * ```
 */
export function* enumeratePaths(model: Model, x: Tensor | ArrayLike<number>, options: EnumerateOptions = {}): Generator<Path> {
  const limit = options.limit ?? 1_000_000;
  const count = pathCount(model);
  if (count > BigInt(limit)) {
    throw new Error(`enumeratePaths: the model has ${count} paths per output, over the limit of ${limit}; use topPaths or raise limit`);
  }
  const xs = checkSample('enumeratePaths', model, x);
  const net = pathNet(model);
  const gates = noGrad(() => gatesOf(model, xs));
  const xv = xs.values();
  for (const id of pathIds(net)) yield materialise(net, gates, xv, id);
}

/**
 * Every path id of the network in id order: input starts [0, i, u_1..u_L] (i, then the units in
 * row-major order), then bias starts [l, -1, u_l..u_L] layer by layer, then the output bias
 * [L + 1, -1]; for dlgn-vt the unit tuples [0, 0, u_1..u_L]. This order is the lexicographic
 * order of the id arrays; enumeration and topPaths' tie-breaking both follow it.
 */
function* pathIds(net: PathNet): Generator<number[]> {
  const { widths } = net;
  const L = widths.length;
  // every unit tuple of layers from..L-1 (0-based), in row-major order (an odometer)
  function* tuples(from: number): Generator<number[]> {
    const units = new Array<number>(L - from).fill(0);
    for (;;) {
      yield units.slice();
      let j = units.length - 1;
      while (j >= 0 && ++units[j] === widths[from + j]) units[j--] = 0;
      if (j < 0) return;
    }
  }
  if (net.kind === 'value-tensor') {
    for (const units of tuples(0)) yield [0, 0, ...units];
    return;
  }
  for (let i = 0; i < net.d; i++) for (const units of tuples(0)) yield [0, i, ...units];
  for (let l = 0; l < L; l++) {
    if (net.biases[l] === null) continue;
    for (const units of tuples(l)) yield [l + 1, -1, ...units];
  }
  if (net.outBias) yield [L + 1, -1];
}

/**
 * The sum of every path's contribution for one input, computed by dynamic programming over
 * layers from the weights and `gates(x)` (no enumeration). Equals the forward output exactly in
 * exact arithmetic: this is the decomposition's identity, evaluated the cheap way.
 */
export function pathSum(model: Model, x: Tensor | ArrayLike<number>): Float64Array {
  const xs = checkSample('pathSum', model, x);
  const net = pathNet(model);
  const gates = noGrad(() => gatesOf(model, xs));
  const xv = xs.values();
  const { k, widths, d } = net;
  const L = widths.length;
  if (net.kind === 'value-tensor') {
    // sum over tuples of V[c, i] prod G: contract one layer at a time from the last
    const V = net.value.values();
    const P = widths.reduce((a, b) => a * b, 1);
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let cur = V.subarray(c * P, (c + 1) * P);
      let size = P;
      for (let l = L - 1; l >= 0; l--) {
        const m = widths[l];
        const next = new Float64Array(size / m);
        for (let r = 0; r < next.length; r++) {
          let s = 0;
          for (let u = 0; u < m; u++) s += cur[r * m + u] * gates[l][u];
          next[r] = s;
        }
        cur = next;
        size /= m;
      }
      out[c] = cur[0];
    }
    return out;
  }
  // S_l[u] = sum over partial paths ending at unit u of layer l of value * activity
  let S = Float64Array.from({ length: d }, (_, i) => (net.startsAtInput ? xv[i] : 1));
  for (let l = 0; l < L; l++) {
    const m = widths[l];
    const prevDim = l === 0 ? d : widths[l - 1];
    const W = net.weights[l].values();
    const b = net.biases[l]?.values();
    const next = new Float64Array(m);
    for (let u = 0; u < m; u++) {
      let s = b ? b[u] : 0;
      for (let p = 0; p < prevDim; p++) s += W[u * prevDim + p] * S[p];
      next[u] = s * gates[l][u];
    }
    S = next;
  }
  const Wo = net.outWeight.values();
  const bo = net.outBias?.values();
  const mL = widths[L - 1];
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = bo ? bo[c] : 0;
    for (let u = 0; u < mL; u++) s += Wo[c * mL + u] * S[u];
    out[c] = s;
  }
  return out;
}

/**
 * How a path's contribution vector is ranked: `max` |contribution_c| over outputs (the default,
 * and the convention of the PyTorch fixtures), `l2` or `l1` norm, or |contribution| of one output.
 */
export type RankBy = 'l2' | 'l1' | 'max' | { output: number };

function normOf(v: ArrayLike<number>, rank: RankBy): number {
  if (typeof rank === 'object') return Math.abs(v[rank.output]);
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (rank === 'l2') s += a * a;
    else if (rank === 'l1') s += a;
    else s = Math.max(s, a);
  }
  return rank === 'l2' ? Math.sqrt(s) : s;
}

/** A partial path kept by the top-k search: its |value * activity| so far and how it got here. */
interface Partial {
  mag: number;
  /** Signed value * activity so far. */
  signed: number;
  id: number[];
}

/** Lexicographic order of two ids (the enumeration order, see `pathIds`). */
function idBefore(a: readonly number[], b: readonly number[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}

/** The ranking order: larger magnitude first, equal magnitudes by id. */
function ranksBefore(a: Partial, b: Partial): boolean {
  return a.mag > b.mag || (a.mag === b.mag && idBefore(a.id, b.id));
}

/** Inserts into a list kept in ranking order, at most k long. */
function pushTop(list: Partial[], p: Partial, k: number): void {
  if (list.length === k && !ranksBefore(p, list[k - 1])) return;
  let i = list.length;
  while (i > 0 && ranksBefore(p, list[i - 1])) i--;
  list.splice(i, 0, p);
  if (list.length > k) list.pop();
}

/**
 * The k paths of largest |contribution| for input x, without enumerating all paths.
 *
 * Method: dynamic programming over layers (a k-best search on the layered graph). A path's
 * ranking magnitude factorises: |contribution| = |start| * prod |w| |g| * n(W_o[:, last]) where n
 * is the chosen norm of the output weights, because the contribution vector is one scalar times
 * an output-weight column. Multiplying by a non-negative factor keeps order, so the k best partial
 * paths into a unit are among the k best partial paths into each predecessor, extended by one
 * edge: keeping k per unit is exact, at O(k * sum_l m_l m_{l-1}) work. Ties are broken by id order.
 * For dlgn-vt the value tensor is not a product over layers, so its P = prod m_l entries (already
 * held in memory by the model) are scanned once.
 *
 * @example
 * ```ts
 * const top = topPaths(net, [0.3, -0.2], 8);
 * top[0].id; // e.g. [0, 1, 3, 2, 1]
 * ```
 */
export function topPaths(model: Model, x: Tensor | ArrayLike<number>, k = 8, options: { rankBy?: RankBy } = {}): Path[] {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topPaths: k must be a positive integer, got ${k}`);
  const rank = options.rankBy ?? 'max';
  const xs = checkSample('topPaths', model, x);
  const net = pathNet(model);
  if (typeof rank === 'object' && !(Number.isInteger(rank.output) && rank.output >= 0 && rank.output < net.k)) {
    throw new Error(`topPaths: rankBy.output ${rank.output} is out of range [0, ${net.k})`);
  }
  const gates = noGrad(() => gatesOf(model, xs));
  const xv = xs.values();
  const { widths, d } = net;
  const L = widths.length;
  const K = net.k;

  if (net.kind === 'value-tensor') {
    const V = net.value.values();
    const P = widths.reduce((a, b) => a * b, 1);
    const best: Partial[] = [];
    const units = new Array<number>(L).fill(0);
    const col = new Float64Array(K);
    for (let flat = 0; flat < P; flat++) {
      let rem = flat;
      let act = 1;
      for (let l = L - 1; l >= 0; l--) {
        units[l] = rem % widths[l];
        rem = Math.floor(rem / widths[l]);
        act *= gates[l][units[l]];
      }
      for (let c = 0; c < K; c++) col[c] = V[c * P + flat];
      pushTop(best, { mag: Math.abs(act) * normOf(col, rank), signed: act, id: [0, 0, ...units] }, k);
    }
    return best.map((b) => materialise(net, gates, xv, b.id));
  }

  const W = net.weights.map((w) => w.values());
  // tops[u]: the k best partial paths ending at unit u of the current layer
  let tops: Partial[][] = [];
  for (let l = 0; l < L; l++) {
    const m = widths[l];
    const prevDim = l === 0 ? d : widths[l - 1];
    const b = net.biases[l]?.values();
    const next: Partial[][] = Array.from({ length: m }, () => []);
    for (let u = 0; u < m; u++) {
      const g = gates[l][u];
      for (let p = 0; p < prevDim; p++) {
        const w = W[l][u * prevDim + p] * g;
        if (l === 0) {
          const s = net.startsAtInput ? xv[p] : 1;
          pushTop(next[u], { mag: Math.abs(s * w), signed: s * w, id: [0, p, u] }, k);
        } else {
          for (const q of tops[p]) pushTop(next[u], { mag: q.mag * Math.abs(w), signed: q.signed * w, id: [...q.id, u] }, k);
        }
      }
      if (b) pushTop(next[u], { mag: Math.abs(b[u] * g), signed: b[u] * g, id: [l + 1, -1, u] }, k);
    }
    tops = next;
  }
  const Wo = net.outWeight.values();
  const mL = widths[L - 1];
  const best: Partial[] = [];
  const col = new Float64Array(K);
  for (let u = 0; u < mL; u++) {
    for (let c = 0; c < K; c++) col[c] = Wo[c * mL + u];
    const n = normOf(col, rank);
    for (const q of tops[u]) pushTop(best, { mag: q.mag * n, signed: q.signed, id: q.id }, k);
  }
  if (net.outBias) pushTop(best, { mag: normOf(net.outBias.values(), rank), signed: 1, id: [L + 1, -1] }, k);
  // Keeping k per unit is exact for the paths of positive magnitude (every factor after a unit is
  // then positive, and scaling by a positive number keeps the order, ties by id included). A zero
  // factor makes the paths through it tie at 0 whatever was kept before it, so when fewer than k
  // paths are positive the rest are the zero paths of smallest id: taken in id order.
  const positive = best.filter((b) => b.mag > 0);
  if (positive.length < best.length) {
    const taken = new Set(positive.map((b) => b.id.join(',')));
    for (const id of pathIds(net)) {
      if (positive.length === best.length) break;
      if (!taken.has(id.join(','))) positive.push({ mag: 0, signed: 0, id });
    }
  }
  return positive.map((b) => materialise(net, gates, xv, b.id));
}

/**
 * One path's value, activity and contribution from its id: the single place path arithmetic is
 * written, used by enumeration and top-k alike (so the two agree to the bit).
 */
function materialise(net: PathNet, gates: Float64Array[], xv: Float64Array, id: number[]): Path {
  const { k, widths, d } = net;
  const L = widths.length;
  if (net.kind === 'value-tensor') {
    const V = net.value.values();
    const P = widths.reduce((a, b) => a * b, 1);
    let flat = 0;
    let activity = 1;
    for (let l = 0; l < L; l++) {
      flat = flat * widths[l] + id[2 + l];
      activity *= gates[l][id[2 + l]];
    }
    const value = new Float64Array(k);
    const contribution = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      value[c] = V[c * P + flat];
      contribution[c] = value[c] * activity;
    }
    return { id, value, activity, contribution };
  }
  const [startLayer, startIndex] = id;
  if (startLayer === L + 1) {
    const bo = Float64Array.from(net.outBias!.values());
    return { id, value: bo, activity: 1, contribution: Float64Array.from(bo) };
  }
  const units = id.slice(2);
  const from = startLayer === 0 ? 0 : startLayer - 1;
  let value = startLayer === 0 ? 1 : net.biases[from]!.values()[units[0]];
  let activity = startLayer === 0 && net.startsAtInput ? xv[startIndex] : 1;
  let prev = startLayer === 0 ? startIndex : -1;
  units.forEach((u, j) => {
    const l = from + j;
    if (prev >= 0) value *= net.weights[l].values()[u * (l === 0 ? d : widths[l - 1]) + prev];
    activity *= gates[l][u];
    prev = u;
  });
  const Wo = net.outWeight.values();
  const mL = widths[L - 1];
  const last = units[units.length - 1];
  const vals = new Float64Array(k);
  const contribution = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    vals[c] = value * Wo[c * mL + last];
    contribution[c] = vals[c] * activity;
  }
  return { id, value: vals, activity, contribution };
}

/** The result of checking sum over paths = forward on a batch. */
export interface DecompositionCheck {
  /** Largest |sum of contributions - forward| over samples and outputs. */
  maxAbsError: number;
  /** The same relative to max(1, |forward|). */
  maxRelError: number;
  /** 'enumeration' when every path was summed one by one, 'dynamic-programming' above the limit. */
  method: 'enumeration' | 'dynamic-programming';
  samples: number;
}

/**
 * Checks the decomposition on a batch x [n, d]: sums every path's contribution (by enumeration
 * when the count is at most `limit`, by the layer-wise dynamic program otherwise) and compares
 * with `model.forward(x)`.
 */
export function verifyDecomposition(model: Model, x: Tensor, options: { limit?: number } = {}): DecompositionCheck {
  if (x.ndim !== 2 || x.shape[1] !== model.config.inputDim) {
    throw new Error(`verifyDecomposition: expected x [n, ${model.config.inputDim}], got ${shapeStr(x.shape)}`);
  }
  const xv = x.contiguous().values();
  for (let j = 0; j < xv.length; j++) {
    if (!Number.isFinite(xv[j])) {
      const d = model.config.inputDim;
      throw new Error(`verifyDecomposition: sample ${Math.floor(j / d)} feature ${j % d} is ${xv[j]}; paths are defined for finite inputs`);
    }
  }
  const limit = options.limit ?? 100_000;
  const enumerate = pathCount(model) <= BigInt(limit);
  const out = noGrad(() => model.forward(x).value).values();
  const n = x.shape[0];
  const k = model.config.outputDim;
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < n; i++) {
    const row = x.slice([i, i + 1]);
    let sum: Float64Array;
    if (enumerate) {
      sum = new Float64Array(k);
      for (const p of enumeratePaths(model, row, { limit })) for (let c = 0; c < k; c++) sum[c] += p.contribution[c];
    } else sum = pathSum(model, row);
    for (let c = 0; c < k; c++) {
      const f = out[i * k + c];
      const e = Math.abs(sum[c] - f);
      // a NaN on either side is a failed check: it counts as an infinite error, never as none
      const abs = Number.isNaN(e) ? Infinity : e;
      const rel = abs / Math.max(1, Math.abs(f));
      if (abs > maxAbs) maxAbs = abs;
      if (!(rel <= maxRel)) maxRel = Number.isNaN(rel) ? Infinity : rel;
    }
  }
  return { maxAbsError: maxAbs, maxRelError: maxRel, method: enumerate ? 'enumeration' : 'dynamic-programming', samples: n };
}
