// Whether the tests can run PyTorch: /usr/bin/python3 (or HALFSPACE_TEST_PYTHON) importing torch.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** HALFSPACE_TEST_PYTHON points the tests at another interpreter (used to check the CI failure). */
export const PYTHON = process.env.HALFSPACE_TEST_PYTHON ?? '/usr/bin/python3';

function probe(): { ok: boolean; why: string } {
  if (!fs.existsSync(PYTHON)) return { ok: false, why: `${PYTHON} does not exist` };
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? { ok: true, why: `torch ${r.stdout.trim()}` } : { ok: false, why: `${PYTHON} cannot import torch: ${(r.stderr || '').trim().split('\n').at(-1)}` };
}

/** Probed once per test file. */
export const torch = probe();
/** Under CI (env CI set) a missing torch is a failure, not a skip. */
export const underCi = Boolean(process.env.CI);

/** Runs a Python script; throws with its stderr on failure. Returns stdout. */
export function python(script: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
