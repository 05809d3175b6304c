// The worker side of the thread pool: waits on shared memory for a product, then takes row chunks of it until none is left.

import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { gemm } from '../tensor/gemm.js';
import { wasmApi } from '../tensor/wasm/assembler.js';
import { type GemmInstance, instantiateShared } from '../tensor/wasm/gemm-module.js';
import { A_REGION_BYTES, type SplitJob, computeRows } from '../tensor/wasm/gemm-split.js';
import { type BufferMessage, CHUNK, CTL, JOB, PARAM, type WorkerData, chunkStart } from './protocol.js';

/*
 * The loop never returns to the event loop: it blocks in Atomics.wait on the job counter, so a
 * dispatch costs one notify and one wake (~45 us round trip here) rather than a message
 * delivery. Operand buffers arrive as messages on a dedicated port, drained synchronously with
 * receiveMessageOnPort before each job (they change rarely: the pool's scratch buffers and the
 * caller's SharedArrayBuffers).
 */
const data = workerData as WorkerData;
const ctl = new Int32Array(data.control);
const params = new Float64Array(data.control, PARAM.byteOffset, PARAM.count);
const shared = new Int32Array(data.chunks);
const port: MessagePort = data.port;
const buffers: (Float64Array | null)[] = [null, null, null];
const id = data.id;

/*
 * JIT warm-up before reporting ready: a fresh worker starts in the interpreter, so a few
 * mid-sized products in each layout (over SharedArrayBuffers, like every operand it will see)
 * take it through tier-up while the caller still computes alone. (What it does not cure: after
 * a pause, the first products on two threads still ran 2-3x slower on these VMs, the idle
 * second vCPU being slow to get going; the benches warm up before sampling for that reason.)
 */
{
  const n = 96;
  const k = 300;
  // over SharedArrayBuffers, like every operand the worker will see
  const a = new Float64Array(new SharedArrayBuffer(n * k * 8)).fill(0.5);
  const b = new Float64Array(new SharedArrayBuffer(k * n * 8)).fill(0.25);
  const c = new Float64Array(new SharedArrayBuffer(n * n * 8));
  for (let rep = 0; rep < 8; rep++) {
    gemm(n, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, rep % 2 === 1); // A B
    gemm(n, n, k, a, 0, 1, n, b, 0, n, 1, c, 0, n, false); // A^T B
    gemm(n, n, k, a, 0, k, 1, b, 0, 1, k, c, 0, n, false); // A B^T
  }
}

/*
 * The shared-memory kernel: this thread's instance of the caller's module on the caller's memory.
 * Its warm-up runs on a private shared memory of its own (the shared one may be in use), which
 * takes the module's functions through V8's tier-up as well.
 */
let wasm: GemmInstance | null = null;
if (data.wasm !== undefined) {
  wasm = instantiateShared(data.wasm.module, data.wasm.memory);
  const wa = wasmApi();
  if (wasm !== null && wa !== null) {
    try {
      const own = instantiateShared(data.wasm.module, new wa.Memory({ initial: Math.ceil((2 * A_REGION_BYTES + 3 * 64 * 64 * 8) / 65536), maximum: 1024, shared: true }));
      const n = 64;
      const job: SplitJob = { M: n, N: n, K: n, aAt: 2 * A_REGION_BYTES, aR: 8 * n, aC: 8, bpAt: A_REGION_BYTES, cAt: 2 * A_REGION_BYTES + 8 * n * n, cRow: 8 * n, accumulate: false };
      for (let rep = 0; rep < 8; rep++) if (own !== null) computeRows(own.fns, { ...job, accumulate: rep % 2 === 1 }, 0, n, 0);
    } catch {
      wasm = null;
    }
  }
}

if (wasm !== null) Atomics.store(ctl, CTL.WASM, 1);
Atomics.store(ctl, CTL.READY, 1);
Atomics.notify(ctl, CTL.READY);

let seen = Atomics.load(ctl, CTL.SEQ);
for (;;) {
  Atomics.wait(ctl, CTL.SEQ, seen);
  const seq = Atomics.load(ctl, CTL.SEQ);
  if (seq === seen) continue;
  seen = seq;
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const msg = m.message as BufferMessage;
    buffers[msg.slot] = new Float64Array(msg.buffer);
  }
  if (params[PARAM.STOP] !== 0) break;
  const [A, B, C] = buffers;
  const p = params;
  const M = p[PARAM.M];
  const chunks = p[PARAM.CHUNKS];
  if (p[PARAM.KIND] === JOB.SHARED) {
    if (wasm !== null) {
      const job: SplitJob = {
        M, N: p[PARAM.N], K: p[PARAM.K],
        aAt: p[PARAM.A_OFF], aR: p[PARAM.A_RS], aC: p[PARAM.A_CS],
        bpAt: p[PARAM.B_OFF], cAt: p[PARAM.C_OFF], cRow: p[PARAM.C_RS], accumulate: p[PARAM.ACCUMULATE] !== 0,
      };
      for (let c = Atomics.add(shared, CHUNK.NEXT, 1); c < chunks; c = Atomics.add(shared, CHUNK.NEXT, 1)) {
        Atomics.store(shared, CHUNK.OWNER + c, -id);
        // the caller stages A band by band after starting this job: wait for this chunk's rows
        for (let s = Atomics.load(shared, CHUNK.STAGED); s <= c; s = Atomics.load(shared, CHUNK.STAGED)) Atomics.wait(shared, CHUNK.STAGED, s, 20);
        try {
          computeRows(wasm.fns, job, chunkStart(M, chunks, c), chunkStart(M, chunks, c + 1), id);
          Atomics.store(shared, CHUNK.OWNER + c, id);
        } catch {
          // left marked -id: the calling thread computes this chunk again
        }
      }
    }
  } else if (A !== null && B !== null && C !== null) {
    for (let c = Atomics.add(shared, CHUNK.NEXT, 1); c < chunks; c = Atomics.add(shared, CHUNK.NEXT, 1)) {
      Atomics.store(shared, CHUNK.OWNER + c, -id);
      const r0 = chunkStart(M, chunks, c);
      const r1 = chunkStart(M, chunks, c + 1);
      try {
        gemm(
          r1 - r0, p[PARAM.N], p[PARAM.K],
          A, p[PARAM.A_OFF] + r0 * p[PARAM.A_RS], p[PARAM.A_RS], p[PARAM.A_CS],
          B, p[PARAM.B_OFF], p[PARAM.B_RS], p[PARAM.B_CS],
          C, p[PARAM.C_OFF] + r0 * p[PARAM.C_RS], p[PARAM.C_RS], p[PARAM.ACCUMULATE] !== 0,
        );
        Atomics.store(shared, CHUNK.OWNER + c, id);
      } catch {
        // left marked -id: the calling thread computes this chunk again
      }
    }
  }
  Atomics.store(ctl, CTL.DONE, seq);
  Atomics.notify(ctl, CTL.DONE);
}
port.close();
