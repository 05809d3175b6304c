// Runs the built `halfspace` command as a user runs it (`node bin/halfspace.js ...`), for the CLI tests.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The command's entry point. */
export const BIN = path.join(ROOT, 'bin', 'halfspace.js');

/** What one run of the command gave: exit status, output, wall time. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node bin/halfspace.js ...args` from the repository root (30 s timeout). */
export function cli(...args: string[]): Run {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}
