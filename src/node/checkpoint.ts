// Checkpoint files (Node only): serializeCheckpoint/parseCheckpoint of src/models plus an atomic write and a read.

import { readFileSync } from 'node:fs';
import { type CheckpointReadOptions, type LoadedCheckpoint, type TrainingMeta, parseCheckpoint, serializeCheckpoint } from '../models/checkpoint.js';
import type { Model } from '../models/families.js';
import { writeFileAtomic } from './atomic.js';

/**
 * Writes the checkpoint of `model` to `path` atomically (temp file, fsync, rename): an existing
 * file is replaced whole or left as it was. Serialization happens first, so a model that cannot
 * be saved (a NaN weight, say) never touches the file. The directory must exist.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { createModel } from 'halfspace';
 * import { loadCheckpoint, saveCheckpoint } from 'halfspace/node';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }, { rng: 1 });
 * const file = join(mkdtempSync(join(tmpdir(), 'hs-')), 'xor.json');
 * saveCheckpoint(file, net, { seed: 1, data: 'xor', optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 } });
 * const { model, meta } = loadCheckpoint(file);
 * console.assert(meta.seed === 1 && model.config.kind === 'dlgn');
 * ```
 */
export function saveCheckpoint(path: string, model: Model, meta: TrainingMeta = {}): void {
  writeFileAtomic(path, serializeCheckpoint(model, meta));
}

/**
 * Reads and validates a checkpoint file (see `parseCheckpoint`); errors start with
 * `checkpoint <path>:`. `options.maxParameters` caps the model the file may describe (default
 * 2^26 parameters), checked from its config before anything is built.
 */
export function loadCheckpoint(path: string, options: CheckpointReadOptions = {}): LoadedCheckpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${e instanceof Error ? e.message : String(e)})`;
    throw new Error(`checkpoint ${path}: ${why}`, { cause: e });
  }
  return parseCheckpoint(text, path, options);
}
