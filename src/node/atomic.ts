// Atomic file writes (temp file in the same directory, fsync, rename): the only way the project writes files.

import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * Why this shape: rename(2) within one directory (one filesystem) is atomic, so a reader sees
 * either the old file or the complete new one, never a torn write. The fsync before the rename
 * makes sure the bytes reach the disk before the name points at them (otherwise a crash can
 * leave a zero-length file under the final name). The temp name carries the pid and a random
 * suffix so two processes, or two calls in one process, never share a temp file.
 */

/** `<path>.<pid>.<random>.tmp`, in the same directory as `target`. */
function tempPathFor(target: string): string {
  const rand = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `${target}.${process.pid}.${rand}.tmp`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Throws, naming the directory, unless the directory `target` would live in exists. */
function checkDirectory(op: string, target: string): void {
  const dir = path.dirname(path.resolve(target));
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st) throw new Error(`${op}: cannot write '${target}': directory '${dir}' does not exist`);
  if (!st.isDirectory()) throw new Error(`${op}: cannot write '${target}': '${dir}' is not a directory`);
}

/** The mode of an existing target, so replacing a file keeps its permissions. */
function existingMode(target: string): number | undefined {
  try {
    const st = fs.statSync(target);
    return st.isFile() ? st.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Best-effort fsync of a directory so the rename itself is durable (not possible everywhere, e.g. Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported on this platform or filesystem: the rename is still atomic, just not yet durable
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes `data` to `target` atomically: the bytes go to `target.<pid>.<random>.tmp` in the same
 * directory, are fsynced, and the temp file is renamed over `target`. Readers see the old
 * contents or the new ones, never a partial file. On any error the temp file is removed, the
 * existing `target` is left untouched, and the error names `target`. The directory must exist
 * (it is not created); an error names it if it does not.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from 'halfspace/node';
 * writeFileAtomic('results.json', JSON.stringify({ accuracy: 0.97 }) + '\n');
 * ```
 */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  checkDirectory('writeFileAtomic', target);
  const bytes = toBytes(data);
  const tmp = tempPathFor(target);
  const mode = existingMode(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', mode ?? 0o666);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more can be done; report the original error
    }
    throw new Error(`writeFileAtomic: cannot write '${target}': ${messageOf(e)}`, { cause: e });
  }
  syncDirectory(path.dirname(path.resolve(target)));
}

/**
 * The asynchronous form of {@link writeFileAtomic}: same temp file, fsync, rename and cleanup.
 *
 * @example
 * ```ts
 * import { writeFileAtomicAsync } from 'halfspace/node';
 * await writeFileAtomicAsync('results.json', JSON.stringify({ accuracy: 0.97 }) + '\n');
 * ```
 */
export async function writeFileAtomicAsync(target: string, data: string | Uint8Array): Promise<void> {
  checkDirectory('writeFileAtomicAsync', target);
  const bytes = toBytes(data);
  const tmp = tempPathFor(target);
  const mode = existingMode(target);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx', mode ?? 0o666);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, target);
  } catch (e) {
    if (handle !== undefined) {
      try {
        await handle.close();
      } catch {
        // already failing; the original error is the one to report
      }
    }
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`writeFileAtomicAsync: cannot write '${target}': ${messageOf(e)}`, { cause: e });
  }
  syncDirectory(path.dirname(path.resolve(target)));
}
