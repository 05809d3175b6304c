// The shared-memory layout between the thread pool and its workers: control words, job parameters, chunks, messages.

import type { MessagePort } from 'node:worker_threads';
import type { WasmMemory } from '../tensor/wasm/assembler.js';

/** Int32 slots of a worker's control buffer. */
export const CTL = {
  /** Job counter: the pool bumps it (then notifies) to start a job. */
  SEQ: 0,
  /** The last job the worker finished (it notifies after storing it). */
  DONE: 1,
  /** 1 once the worker waits for jobs. */
  READY: 2,
  /** 1 when the worker runs the shared-memory WebAssembly kernel (JOB.SHARED jobs). */
  WASM: 3,
} as const;

/** Kinds of job (PARAM.KIND). */
export const JOB = {
  /** Every chunk runs `gemm` on the operands in SharedArrayBuffers (offsets and strides in elements). */
  GEMM: 0,
  /**
   * Chunks of a product staged in the shared WebAssembly memory (src/tensor/wasm/gemm-split.ts):
   * A_OFF, A_RS, A_CS are the staged A's byte address and strides, B_OFF the packed B's, C_OFF
   * and C_RS the padded C's.
   */
  SHARED: 1,
} as const;

/** Float64 job parameters after the control words: gemm's scalar arguments for the whole product. */
export const PARAM = {
  byteOffset: 64,
  count: 15,
  M: 0,
  N: 1,
  K: 2,
  A_OFF: 3,
  A_RS: 4,
  A_CS: 5,
  B_OFF: 6,
  B_RS: 7,
  B_CS: 8,
  C_OFF: 9,
  C_RS: 10,
  ACCUMULATE: 11,
  /** Row chunks the product is cut into (see `chunkStart`). */
  CHUNKS: 12,
  STOP: 13,
  /** A JOB kind. */
  KIND: 14,
} as const;

/** Bytes of one worker's control buffer. */
export const CONTROL_BYTES = PARAM.byteOffset + PARAM.count * 8;

/**
 * The pool-wide Int32 words every thread shares: NEXT, the next chunk to take (Atomics.add);
 * STAGED, how many chunks' rows of A the caller has staged so far (a JOB.SHARED worker waits for
 * its chunk's, Atomics.wait); then one owner word per chunk: 0 taken by the calling thread,
 * w + 1 computed by worker w, -(w + 1) taken by worker w and not finished (so the caller redoes
 * it if that worker fails).
 */
export const CHUNK = { NEXT: 0, STAGED: 1, OWNER: 2 } as const;
/** Most chunks a product is cut into. */
export const MAX_CHUNKS = 64;
export const CHUNK_BYTES = (CHUNK.OWNER + MAX_CHUNKS) * 4;

/** First row of chunk c of M rows cut into `chunks`, at multiples of 4 (the register-tile height). */
export function chunkStart(M: number, chunks: number, c: number): number {
  return c >= chunks ? M : Math.round((M * c) / chunks / 4) * 4;
}

/** What a worker receives at start. */
export interface WorkerData {
  /** 1, 2, ...: its number in the owner words. */
  id: number;
  control: SharedArrayBuffer;
  chunks: SharedArrayBuffer;
  port: MessagePort;
  /** The GEMM module compiled for a shared memory, and that memory (absent: JOB.GEMM jobs only). */
  wasm?: { module: object; memory: WasmMemory };
}

/** Operand slot 0 (A), 1 (B) or 2 (C) now lives in `buffer`. */
export interface BufferMessage {
  slot: 0 | 1 | 2;
  buffer: SharedArrayBuffer;
}
