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
