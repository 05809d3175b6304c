// Files for interop: safetensors in, safetensors or ONNX out, written atomically (Node only).

import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import { type OnnxExportOptions, modelToOnnx } from '../io/onnx.js';
import {
  type ImportOptions,
  type ImportResult,
  type ParseSafetensorsOptions,
  SAFETENSORS_MAX_HEADER_BYTES,
  type SafetensorsContents,
  type SafetensorsWriteDtype,
  importSafetensors,
  modelToSafetensors,
  parseSafetensors,
} from '../io/safetensors.js';
import type { Model } from '../models/families.js';

/** The formats `exportModel` writes. */
export type ExportFormat = 'safetensors' | 'onnx';

/** Node reads at most this many bytes into one buffer (2 GiB - 1). */
const MAX_FILE_BYTES = 2 ** 31 - 1;

function readBytes(path: string, what: string, maxHeaderBytes: number): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Error('is a directory, not a file');
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (size > MAX_FILE_BYTES) {
    // look at the header first: a hostile length is refused without reading gigabytes
    const head = new Uint8Array(8);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, 8, 0);
    } finally {
      closeSync(fd);
    }
    const n = new DataView(head.buffer).getBigUint64(0, true);
    if (n > BigInt(maxHeaderBytes)) throw new Error(`safetensors ${path}: header length ${n} bytes is over the cap of ${maxHeaderBytes} bytes`);
    throw new Error(`${what} ${path}: the file is ${size} bytes; this build reads files up to ${MAX_FILE_BYTES} bytes (2 GiB) into memory`);
  }
  return new Uint8Array(readFileSync(path));
}

/**
 * Reads and validates a safetensors file (see `parseSafetensors`); errors start with
 * `safetensors <path>:`.
 *
 * @example
 * ```ts
 * import { readSafetensorsFile } from 'halfspace/node';
 * const { tensors, metadata } = readSafetensorsFile('model.safetensors');
 * ```
 */
export function readSafetensorsFile(path: string, options: Omit<ParseSafetensorsOptions, 'source'> = {}): SafetensorsContents {
  const bytes = readBytes(path, 'safetensors', options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES);
  return parseSafetensors(bytes, { ...options, source: path });
}

/**
 * A model from a safetensors file (a PyTorch state dict with halfspace's names, or any with a
 * rename map); see `importSafetensors` for the options. Errors start with `import <path>:` or
 * `safetensors <path>:`.
 *
 * @example
 * ```ts
 * import { importSafetensorsFile } from 'halfspace/node';
 * import { saveCheckpoint } from 'halfspace/io';
 * const { model } = importSafetensorsFile('dlgn.safetensors');
 * saveCheckpoint('dlgn.json', model);
 * ```
 */
export function importSafetensorsFile(path: string, options: Omit<ImportOptions, 'source'> = {}): ImportResult {
  const bytes = readBytes(path, 'import', options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES);
  return importSafetensors(bytes, { ...options, source: path });
}

export interface ExportOptions {
  format: ExportFormat;
  /** safetensors: F64 (default) or F32. */
  dtype?: SafetensorsWriteDtype;
  /** onnx: graph options (float64 by default, `gates` outputs, opset). */
  onnx?: OnnxExportOptions;
}

/**
 * Writes a model as safetensors (loadable by `python/halfspace_torch.py`'s `load`, or by any
 * safetensors reader, as a PyTorch state dict) or as ONNX, atomically: the file is replaced
 * whole or not at all. Returns the number of bytes written.
 *
 * @example
 * ```ts
 * import { exportModel } from 'halfspace/node';
 * exportModel(model, 'dlgn.onnx', { format: 'onnx' });
 * ```
 */
export function exportModel(model: Model, path: string, options: ExportOptions): number {
  let bytes: Uint8Array;
  if (options.format === 'safetensors') bytes = modelToSafetensors(model, { dtype: options.dtype });
  else if (options.format === 'onnx') bytes = modelToOnnx(model, options.onnx);
  else throw new Error(`exportModel: format must be safetensors or onnx, got ${JSON.stringify(options.format)}`);
  writeFileAtomic(path, bytes);
  return bytes.length;
}
