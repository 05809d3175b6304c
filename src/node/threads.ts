// A worker-thread pool over SharedArrayBuffer that splits large matrix products by output rows (Node only).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { gemm, gemmKernel, gemmPath } from '../tensor/gemm.js';
import { type GemmExecutor, gemmExecutor, setGemmExecutor } from '../tensor/linalg.js';
import { type SharedGemmModule, createSharedGemm } from '../tensor/wasm/gemm-module.js';
import { A_REGION_BYTES, computeRows, finishSplit, restoreRows, stageRows, stageSplit } from '../tensor/wasm/gemm-split.js';
import { type BufferMessage, CHUNK, CHUNK_BYTES, CONTROL_BYTES, CTL, JOB, MAX_CHUNKS, PARAM, type WorkerData, chunkStart } from './protocol.js';

/*
 * How a product runs on T threads. C's rows are cut into chunks at multiples of 4 (the kernel's
 * register-tile height), about two per thread, and every thread, the caller included, takes the
 * next untaken chunk (an Atomics.add on a shared counter) until none is left: with the machine
 * to itself each thread does its share; when another process slows one core, the other thread
 * takes more chunks instead of waiting (a static half-and-half split ran slower than one thread
 * then). An output element is computed by one thread, in the one-thread order, so the bits are
 * those of one thread, whoever takes which chunk.
 *
 * Two kinds of job. Where the WebAssembly SIMD kernel runs (`gemmKernel()`), the pool owns one
 * shared WebAssembly memory that every thread's instance of the GEMM module runs on: the caller
 * stages the operands there once and packs all of B, the threads compute their rows from it, and
 * the caller copies C out (src/tensor/wasm/gemm-split.ts, which explains why the bits are those of
 * one thread). Otherwise (the JavaScript kernel, a product past that memory's cap, or shapes off
 * the blocked path) every chunk runs `gemm` with the same N and K as the whole product, and
 * `gemm`'s result for a row depends on N, K and the values only (the determinism note in
 * gemm.ts). Such a product is split only if every chunk takes the loop the whole product takes
 * (`gemmPath`: a small chunk of a tiny product could fall into the i-k-j loop, which accumulates
 * in another order), and each chunk packs B again, ~1-4%.
 *
 * In a JOB.GEMM product the caller computes its chunks on its own arrays. Operands the workers cannot see (ordinary
 * ArrayBuffers) are gathered, compactly, into the pool's own SharedArrayBuffers (B and A; C is
 * computed there and the workers' chunks copied back): O(n^2) copying against O(n^3) work.
 * Operands already over a SharedArrayBuffer (see `allocShared`) are used in place.
 *
 * A worker blocks in Atomics.wait on its job counter; the dispatch is a store, a notify, and an
 * Atomics.wait of the caller for the worker's done counter (~45 us round trip measured here),
 * so only products above `minWork` multiply-adds are split.
 */

/** Options of `setThreads`. */
export interface ThreadOptions {
  /**
   * Smallest product (M * N * K multiply-adds) worth splitting; default 2^20 (about 0.35 ms on
   * one thread here, against ~0.05 ms of dispatch).
   */
  minWork?: number;
  /** Smallest number of rows of C in a chunk (rounded up to a multiple of 4); default 16. */
  minRows?: number;
  /** Chunks per thread (default 2): more balance the load better on a busy machine, each packs B again. */
  chunksPerThread?: number;
}

/** What `setThreads` and `threadInfo` report. */
export interface ThreadInfo {
  /** Threads products may use, the caller's included (1: every product on the caller's thread). */
  threads: number;
  /** Why fewer threads than asked for are in use, if so. */
  reason?: string;
  /** Products split across threads since the pool started. */
  splits?: number;
  /** Of those, the products computed in the shared WebAssembly memory (the rest ran `gemm` per chunk). */
  sharedSplits?: number;
  /** Whether the workers run the shared-memory WebAssembly kernel. */
  sharedMemory?: boolean;
}

const ROW_ALIGN = 4;

class Pool {
  readonly workers: Worker[] = [];
  readonly controls: Int32Array[] = [];
  readonly params: Float64Array[] = [];
  readonly ports: MessagePort[] = [];
  /** The next-chunk counter and chunk owners, shared by every thread (see CHUNK). */
  readonly chunks = new Int32Array(new SharedArrayBuffer(CHUNK_BYTES));
  /** Per worker, the SharedArrayBuffer last sent for each operand slot. */
  readonly sent: (SharedArrayBuffer | null)[][] = [];
  /** Pool-owned scratch per operand slot, grown on demand. */
  readonly scratch: (Float64Array | null)[] = [null, null, null];
  failure: Error | null = null;
  broken = false;
  splits = 0;
  sharedSplits = 0;
  /** The shared-memory GEMM (null: no WebAssembly threads here; JOB.GEMM jobs only). */
  readonly wasm: SharedGemmModule | null;

  constructor(
    readonly threads: number,
    readonly minWork: number,
    readonly minRows: number,
    readonly chunksPerThread: number,
  ) {
    this.wasm = createSharedGemm(Math.ceil((threads * A_REGION_BYTES + 3 * 64 * 64 * 8) / 65536));
    if (this.wasm !== null) warmShared(this.wasm, threads);
    for (let t = 1; t < threads; t++) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const { port1, port2 } = new MessageChannel();
      const data: WorkerData = { id: t, control, chunks: this.chunks.buffer as SharedArrayBuffer, port: port2 };
      if (this.wasm !== null) data.wasm = { module: this.wasm.module, memory: this.wasm.memory };
      const w = spawnWorker(data, [port2]);
      w.on('error', (e: unknown) => {
        this.failure = e instanceof Error ? e : new Error(String(e));
        this.broken = true;
      });
      w.on('exit', () => {
        this.broken = true;
      });
      w.unref();
      port1.unref();
      this.workers.push(w);
      this.controls.push(new Int32Array(control));
      this.params.push(new Float64Array(control, PARAM.byteOffset, PARAM.count));
      this.ports.push(port1);
      this.sent.push([null, null, null]);
    }
  }

  ready(): boolean {
    if (this.broken) return false;
    for (const c of this.controls) if (Atomics.load(c, CTL.READY) !== 1) return false;
    return true;
  }

  /** True when every worker runs the shared-memory kernel (checked once they are ready). */
  sharedMemory(): boolean {
    if (this.wasm === null) return false;
    for (const c of this.controls) if (Atomics.load(c, CTL.WASM) !== 1) return false;
    return true;
  }

  /** A shared scratch buffer of at least n doubles for an operand slot. */
  /**
   * An operand of a split product as [array, offset, row stride, column stride] that the workers
   * can read: the caller's own when it lies in a SharedArrayBuffer, else a compact row-major copy
   * in the scratch slot.
   */
  private staged(slot: 0 | 1, X: Float64Array, off: number, rs: number, cs: number, rows: number, cols: number): [Float64Array, number, number, number] {
    if (X.buffer instanceof SharedArrayBuffer) return [X, off, rs, cs];
    const copy = this.scratchFor(slot, rows * cols);
    gather(X, off, rs, cs, rows, cols, copy);
    return [copy, 0, cols, 1];
  }

  scratchFor(slot: 0 | 1 | 2, n: number): Float64Array {
    const cur = this.scratch[slot];
    if (cur !== null && cur.length >= n) return cur;
    let size = 1024;
    while (size < n) size *= 2;
    const fresh = new Float64Array(new SharedArrayBuffer(size * 8));
    this.scratch[slot] = fresh;
    return fresh;
  }

  /** Makes sure worker w holds `buffer` in `slot`. */
  send(w: number, slot: 0 | 1 | 2, buffer: SharedArrayBuffer): void {
    if (this.sent[w][slot] === buffer) return;
    const msg: BufferMessage = { slot, buffer };
    this.ports[w].postMessage(msg);
    this.sent[w][slot] = buffer;
  }

  stop(): Promise<void> {
    for (let w = 0; w < this.workers.length; w++) {
      this.params[w][PARAM.STOP] = 1;
      Atomics.add(this.controls[w], CTL.SEQ, 1);
      Atomics.notify(this.controls[w], CTL.SEQ);
      this.ports[w].close();
    }
    this.broken = true;
    return Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
  }

  /** Starts a job of `kind` on every worker: parameters (set by `fill`), the chunk counters reset, a notify. */
  private dispatch(kind: number, chunks: number, fill: (p: Float64Array) => void, staged = chunks): void {
    const shared = this.chunks;
    Atomics.store(shared, CHUNK.NEXT, 0);
    Atomics.store(shared, CHUNK.STAGED, staged);
    for (let c = 0; c < chunks; c++) Atomics.store(shared, CHUNK.OWNER + c, 0);
    for (let w = 0; w < this.workers.length; w++) {
      const p = this.params[w];
      fill(p);
      p[PARAM.KIND] = kind;
      p[PARAM.CHUNKS] = chunks;
      p[PARAM.STOP] = 0;
    }
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.add(this.controls[w], CTL.SEQ, 1);
      Atomics.notify(this.controls[w], CTL.SEQ);
    }
    this.splits++;
  }

  /**
   * Waits for every worker to finish the job. One that does not answer within `patienceMs`
   * breaks the pool (products run on one thread from then on); its chunks stay marked unfinished.
   */
  private awaitWorkers(patienceMs: number): void {
    const started = Date.now();
    for (let w = 0; w < this.workers.length; w++) {
      const ctl = this.controls[w];
      const seq = Atomics.load(ctl, CTL.SEQ);
      for (;;) {
        const done = Atomics.load(ctl, CTL.DONE);
        if (done === seq) break;
        if (Date.now() - started > patienceMs) {
          this.broken = true;
          this.failure = new Error('threads: a worker did not answer; products run on one thread from now on');
          break;
        }
        Atomics.wait(ctl, CTL.DONE, done, 100);
      }
    }
  }

  /** The executor installed into src/tensor/linalg. */
  readonly run: GemmExecutor = (M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate) => {
    if (M * N * K < this.minWork || K === 0 || N === 0) return false;
    const chunks = Math.min(this.threads * this.chunksPerThread, Math.floor(M / this.minRows), MAX_CHUNKS);
    if (chunks < 2 || !this.ready()) return false;
    const path = gemmPath(M, N, K);
    // ~0.1 GFLOP/s: far below any real speed
    const patienceMs = 2000 + (2 * M * N * K) / 1e5;
    if (path === 'blocked' && this.sharedMemory() && gemmKernel() === 'wasm-simd') {
      if (this.runShared(chunks, patienceMs, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate)) return true;
    }
    // every chunk must run the loop the whole product would (see gemmPath): same bits
    for (let c = 0; c < chunks; c++) if (gemmPath(chunkStart(M, chunks, c + 1) - chunkStart(M, chunks, c), N, K) !== path) return false;

    // the operands where the workers can read them: in place if shared, else compact copies
    const [sB, sBOff, sBRs, sBCs] = this.staged(1, B, bOff, bRs, bCs, K, N);
    const [sA, sAOff, sARs, sACs] = this.staged(0, A, aOff, aRs, aCs, M, K);
    const sharedC = C.buffer instanceof SharedArrayBuffer;
    let sC = C;
    let sCOff = cOff;
    let sCRs = cRs;
    if (!sharedC) {
      sC = this.scratchFor(2, M * N);
      if (accumulate) gather(C, cOff, cRs, 1, M, N, sC);
      sCOff = 0;
      sCRs = N;
    }
    for (let w = 0; w < this.workers.length; w++) {
      this.send(w, 0, sA.buffer as SharedArrayBuffer);
      this.send(w, 1, sB.buffer as SharedArrayBuffer);
      this.send(w, 2, sC.buffer as SharedArrayBuffer);
    }
    this.dispatch(JOB.GEMM, chunks, (p) => {
      p[PARAM.M] = M;
      p[PARAM.N] = N;
      p[PARAM.K] = K;
      // offsets in elements of the whole SharedArrayBuffer (an array may be a view into it)
      p[PARAM.A_OFF] = sA.byteOffset / 8 + sAOff;
      p[PARAM.A_RS] = sARs;
      p[PARAM.A_CS] = sACs;
      p[PARAM.B_OFF] = sB.byteOffset / 8 + sBOff;
      p[PARAM.B_RS] = sBRs;
      p[PARAM.B_CS] = sBCs;
      p[PARAM.C_OFF] = sC.byteOffset / 8 + sCOff;
      p[PARAM.C_RS] = sCRs;
      p[PARAM.ACCUMULATE] = accumulate ? 1 : 0;
    });

    // the caller's chunks, on its own arrays (owner word stays 0)
    const shared = this.chunks;
    for (let c = Atomics.add(shared, CHUNK.NEXT, 1); c < chunks; c = Atomics.add(shared, CHUNK.NEXT, 1)) {
      const r0 = chunkStart(M, chunks, c);
      gemm(chunkStart(M, chunks, c + 1) - r0, N, K, A, aOff + r0 * aRs, aRs, aCs, B, bOff, bRs, bCs, C, cOff + r0 * cRs, cRs, accumulate);
    }

    // a chunk a worker failed, or did not finish in time, is redone here
    this.awaitWorkers(patienceMs);
    for (let c = 0; c < chunks; c++) {
      const owner = Atomics.load(shared, CHUNK.OWNER + c);
      const r0 = chunkStart(M, chunks, c);
      const r1 = chunkStart(M, chunks, c + 1);
      if (owner < 0) {
        // redone from the caller's arrays (C's rows there are untouched: workers wrote to sC)
        if (!sharedC || !accumulate) gemm(r1 - r0, N, K, A, aOff + r0 * aRs, aRs, aCs, B, bOff, bRs, bCs, C, cOff + r0 * cRs, cRs, accumulate);
        else throw new Error('threads: a worker failed part way through an accumulating product in shared memory');
      } else if (owner > 0 && !sharedC) {
        for (let i = r0; i < r1; i++) C.set(sC.subarray(i * N, i * N + N), cOff + i * cRs);
      }
    }
    return true;
  };

  /**
   * A JOB.SHARED product: staged in the shared WebAssembly memory, rows computed by every thread
   * there, C copied out by the caller. False (nothing done) when it does not fit the memory's cap.
   */
  private runShared(
    chunks: number, patienceMs: number,
    M: number, N: number, K: number,
    A: Float64Array, aOff: number, aRs: number, aCs: number,
    B: Float64Array, bOff: number, bRs: number, bCs: number,
    C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
  ): boolean {
    const w = this.wasm!.instance;
    const staged = stageSplit(w, this.threads, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate);
    if (staged === null) return false;
    const { job, source } = staged;
    const shared = this.chunks;
    this.dispatch(JOB.SHARED, chunks, (p) => {
      p[PARAM.M] = M;
      p[PARAM.N] = N;
      p[PARAM.K] = K;
      p[PARAM.A_OFF] = job.aAt;
      p[PARAM.A_RS] = job.aR;
      p[PARAM.A_CS] = job.aC;
      p[PARAM.B_OFF] = job.bpAt;
      p[PARAM.C_OFF] = job.cAt;
      p[PARAM.C_RS] = job.cRow;
      p[PARAM.ACCUMULATE] = accumulate ? 1 : 0;
    }, source.byRows ? 0 : chunks);
    this.sharedSplits++;
    if (source.byRows) {
      // A band by band, in chunk order: the worker starts on its first chunk while the rest is copied
      try {
        for (let c = 0; c < chunks; c++) {
          stageRows(w, job, source, chunkStart(M, chunks, c), chunkStart(M, chunks, c + 1));
          Atomics.store(shared, CHUNK.STAGED, c + 1);
          Atomics.notify(shared, CHUNK.STAGED);
        }
      } catch (e) {
        Atomics.store(shared, CHUNK.STAGED, chunks);
        Atomics.notify(shared, CHUNK.STAGED);
        this.awaitWorkers(patienceMs);
        throw e;
      }
    }
    // the caller's chunks, each copied out as soon as it is done
    for (let c = Atomics.add(shared, CHUNK.NEXT, 1); c < chunks; c = Atomics.add(shared, CHUNK.NEXT, 1)) {
      const r0 = chunkStart(M, chunks, c);
      const r1 = chunkStart(M, chunks, c + 1);
      computeRows(w.fns, job, r0, r1, 0);
      finishSplit(w, job, C, cOff, cRs, r0, r1);
    }
    this.awaitWorkers(patienceMs);
    // the workers' chunks; one a worker failed, or did not finish in time, again here (from the caller's C when accumulating)
    for (let c = 0; c < chunks; c++) {
      const owner = Atomics.load(shared, CHUNK.OWNER + c);
      if (owner === 0) continue;
      const r0 = chunkStart(M, chunks, c);
      const r1 = chunkStart(M, chunks, c + 1);
      if (owner < 0) {
        if (accumulate) restoreRows(w, job, C, cOff, cRs, r0, r1);
        computeRows(w.fns, job, r0, r1, 0);
      }
      finishSplit(w, job, C, cOff, cRs, r0, r1);
    }
    return true;
  }
}

/**
 * Runs a few split products on the caller's instance before any worker starts (the memory is
 * not in use yet), so the module's functions tier up before real work.
 */
function warmShared(sg: SharedGemmModule, threads: number): void {
  const n = 64;
  const X = new Float64Array(n * n).fill(0.5);
  const C = new Float64Array(n * n);
  for (let rep = 0; rep < 8; rep++) {
    const staged = stageSplit(sg.instance, threads, n, n, n, X, 0, n, 1, X, 0, n, 1, C, 0, n, rep % 2 === 1);
    if (staged === null) return;
    stageRows(sg.instance, staged.job, staged.source, 0, n);
    computeRows(sg.instance.fns, staged.job, 0, n, 0);
    finishSplit(sg.instance, staged.job, C, 0, n);
  }
}

/** dst[i*cols + j] = src[off + i*rs + j*cs], row by row. */
function gather(src: Float64Array, off: number, rs: number, cs: number, rows: number, cols: number, dst: Float64Array): void {
  if (cs === 1) {
    for (let i = 0; i < rows; i++) dst.set(src.subarray(off + i * rs, off + i * rs + cols), i * cols);
    return;
  }
  let k = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0, s = off + i * rs; j < cols; j++, s += cs) dst[k++] = src[s];
  }
}

/**
 * Starts a worker on the compiled `gemm-worker.js` next to this file (the dist/ build). Running
 * from TypeScript sources (vitest, `node --import tsx`) there is only `gemm-worker.ts`, which a
 * bare worker cannot load: the worker then starts from a one-line bootstrap that registers tsx's
 * loader (its ESM API) and imports the .ts file. Without either, this throws and `setThreads`
 * falls back to one thread.
 */
function spawnWorker(data: WorkerData, transfer: MessagePort[]): Worker {
  const js = new URL('./gemm-worker.js', import.meta.url);
  const options = { workerData: data, transferList: transfer, execArgv: [] as string[] };
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL('./gemm-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) throw new Error(`threads: no worker script next to ${fileURLToPath(import.meta.url)}`);
  let api: string;
  try {
    // tsx's ESM API (its `exports['./esm/api'].import`), found from its package.json
    const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
    api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
  } catch {
    throw new Error('threads: running from TypeScript sources needs tsx (a devDependency) to load the worker');
  }
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

let pool: Pool | null = null;
let lastReason: string | undefined;

/**
 * Sets how many threads large matrix products use, this one included: 1 (the default) runs every
 * product on the calling thread; n > 1 starts n - 1 worker threads and installs them into
 * src/tensor/linalg (`setGemmExecutor`), after which `matmul`, every layer and every gradient
 * built on it split products of at least `minWork` multiply-adds by rows of the output.
 * `'auto'` is `os.availableParallelism()`. Results are bit-identical to one thread.
 *
 * The workers start in the background (~50 ms); until they are ready products run on one thread
 * (`await threadsReady()` to wait). Workers are `unref`'d, so they never keep a process alive;
 * `setThreads(1)` stops them. Where SharedArrayBuffer or worker threads are unavailable, or the
 * worker script cannot be found, this leaves one thread and says why in the result.
 *
 * This is the engine's one thread setting; it lives in this Node-only module so the
 * browser-safe core never loads worker_threads.
 *
 * @example
 * ```ts
 * import { setThreads, threadsReady } from 'halfspace/node';
 * setThreads(2);
 * await threadsReady();
 * matmul(a, b); // rows split over two threads when large enough
 * setThreads(1);
 * ```
 */
export function setThreads(n: number | 'auto', options: ThreadOptions = {}): ThreadInfo {
  const want = n === 'auto' ? availableParallelism() : n;
  if (!Number.isInteger(want) || want < 1) throw new Error(`setThreads: threads must be a positive integer or 'auto', got ${String(n)}`);
  const minWork = options.minWork ?? 2 ** 20;
  const minRows = Math.max(ROW_ALIGN, Math.ceil((options.minRows ?? 16) / ROW_ALIGN) * ROW_ALIGN);
  const chunksPerThread = options.chunksPerThread ?? 2;
  if (!(minWork >= 0)) throw new Error(`setThreads: minWork must be >= 0, got ${minWork}`);
  if (!Number.isInteger(chunksPerThread) || chunksPerThread < 1) throw new Error(`setThreads: chunksPerThread must be a positive integer, got ${chunksPerThread}`);
  if (pool !== null) {
    const old = pool;
    pool = null;
    if (gemmExecutor() === old.run) setGemmExecutor(null);
    void old.stop();
  }
  lastReason = undefined;
  if (want === 1) return { threads: 1 };
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    lastReason = 'SharedArrayBuffer is not available';
    return { threads: 1, reason: lastReason };
  }
  try {
    pool = new Pool(want, minWork, minRows, chunksPerThread);
  } catch (e) {
    lastReason = e instanceof Error ? e.message : String(e);
    return { threads: 1, reason: lastReason };
  }
  setGemmExecutor(pool.run);
  return { threads: want };
}

/** The thread setting in force (and, when a pool failed, why products run on one thread). */
export function threadInfo(): ThreadInfo {
  if (pool === null) return lastReason === undefined ? { threads: 1 } : { threads: 1, reason: lastReason };
  const counts = { splits: pool.splits, sharedSplits: pool.sharedSplits };
  if (pool.broken) return { threads: 1, reason: pool.failure?.message ?? 'the worker pool stopped', ...counts };
  return { threads: pool.threads, ...counts, sharedMemory: pool.ready() && pool.sharedMemory() };
}

/**
 * Resolves once every worker waits for jobs (at once with one thread); rejects if a worker
 * failed to start or `timeoutMs` (default 10 s) passes.
 */
export async function threadsReady(timeoutMs = 10_000): Promise<ThreadInfo> {
  const started = Date.now();
  for (;;) {
    const p = pool;
    if (p === null) return threadInfo();
    if (p.ready()) return { threads: p.threads };
    if (p.broken) throw p.failure ?? new Error('threads: the worker pool stopped');
    if (Date.now() - started > timeoutMs) throw new Error(`threads: workers not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A Float64Array of n zeros over a SharedArrayBuffer: operands in such buffers are read and
 * written by the workers in place, with no copy. Pass it as a `Workspace` allocator to keep a
 * training step's intermediates shared.
 *
 * @example
 * ```ts
 * const ws = new Workspace(allocShared);
 * ```
 */
export function allocShared(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}
