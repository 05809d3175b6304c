// The worker side of the thread pool: waits on shared memory for a product, then takes row chunks of it until none is left.

import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { gemm } from '../tensor/gemm.js';
import { type BufferMessage, CHUNK, CTL, PARAM, type WorkerData, chunkStart } from './protocol.js';

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
  if (A !== null && B !== null && C !== null) {
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
