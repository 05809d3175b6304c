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

/** `<name>.<pid>.<8 base-36 chars>.tmp`: the temp files writeFileAtomic makes. */
const TEMP_RE = /^(.+)\.(\d+)\.[0-9a-z]{8}\.tmp$/;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files a killed writer left in `dir` (`<name>.<pid>.<rand>.tmp`, for the
 * `names` given, or any name), when the process `<pid>` is no longer running: a live writer's
 * temp file is left alone. Returns the files removed. Errors other than a missing directory are
 * ignored (cleanup is best effort; the atomic rename never depended on it).
 */
export function cleanStaleTemps(dir: string, names?: readonly string[]): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    const m = TEMP_RE.exec(e);
    if (m === null || (names !== undefined && !names.includes(m[1]))) continue;
    if (processAlive(Number(m[2]))) continue;
    try {
      fs.rmSync(path.join(dir, e), { force: true });
      removed.push(e);
    } catch {
      // best effort
    }
  }
  return removed;
}

/**
 * Writes several files as one step, as nearly as POSIX allows: every file goes to its temp file
 * and is fsynced first, and only when all are complete are they renamed, in the order given. A
 * failure before the renames leaves every target as it was (temps removed); a kill between two
 * renames can leave the first new and the rest old, which is why the CLI's metrics.json records
 * the SHA-256 of the model.json it belongs with (rename model.json last, check the hash).
 */
export function writeFilesAtomic(files: readonly { path: string; data: string | Uint8Array }[]): void {
  for (const f of files) checkDirectory('writeFilesAtomic', f.path);
  const staged: { tmp: string; target: string }[] = [];
  try {
    for (const f of files) {
      const tmp = tempPathFor(f.path);
      const bytes = toBytes(f.data);
      const fd = fs.openSync(tmp, 'wx', existingMode(f.path) ?? 0o666);
      staged.push({ tmp, target: f.path });
      try {
        let written = 0;
        while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch (e) {
    for (const s of staged) fs.rmSync(s.tmp, { force: true });
    throw new Error(`writeFilesAtomic: cannot write '${staged.at(-1)?.target ?? files[0]?.path}': ${messageOf(e)}`, { cause: e });
  }
  for (let i = 0; i < staged.length; i++) {
    try {
      fs.renameSync(staged[i].tmp, staged[i].target);
    } catch (e) {
      for (const s of staged.slice(i)) fs.rmSync(s.tmp, { force: true });
      throw new Error(`writeFilesAtomic: cannot write '${staged[i].target}': ${messageOf(e)}`, { cause: e });
    }
  }
  for (const dir of new Set(staged.map((s) => path.dirname(path.resolve(s.target))))) syncDirectory(dir);
}

/**
 * Makes sure `dir` can take the output files `names` before any work is done: creates it (and
 * missing parents) one level at a time — never `mkdir -p`, which loops forever on procfs — refuses
 * a path that is a file, an output name that is a directory, and a directory where a probe file
 * cannot be created and removed. Errors name the flag (`what`) and the path.
 */
export function prepareOutputDir(dir: string, names: readonly string[], what = 'output directory'): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file on the way up, which the next level reports by name
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new Error(`${what} '${dir}': cannot check '${cur}' (${code ?? messageOf(e)})`);
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw new Error(`${what} '${dir}': '${cur}' exists and is not a directory`);
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const m of missing.reverse()) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new Error(`${what} '${dir}': cannot create '${m}' (${code ?? messageOf(e)})`);
    }
  }
  for (const n of names) {
    const target = path.join(abs, n);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(target);
    } catch {
      st = undefined;
    }
    if (st !== undefined && !st.isFile()) throw new Error(`${what} '${dir}': '${target}' exists and is not a regular file`);
  }
  const probe = path.join(abs, `.halfspace-probe.${process.pid}.${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}.tmp`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what} '${dir}': cannot write files there (${code ?? messageOf(e)})`);
  }
}
