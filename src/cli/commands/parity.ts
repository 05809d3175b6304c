// `halfspace parity`: checks the engine against PyTorch fixture files, a line per case.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CaseResult, checkCase, formatCaseResult, parseFixtureFile } from '../../io/parity.js';
import type { CommandSpec, Flags, OptionSpec } from '../args.js';
import { progress } from '../progress.js';

/** The copy of torch-parity.json kept in the repository's test fixtures. */
export function defaultFixturePath(): string {
  return fileURLToPath(new URL('../../../test/fixtures/torch-parity.json', import.meta.url));
}

/** Every .json file named, or found directly inside a named directory, in sorted order. */
export function fixtureFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      const inside = readdirSync(p).filter((f) => f.endsWith('.json')).sort();
      if (inside.length === 0) throw new Error(`directory ${p} holds no .json fixture files`);
      files.push(...inside.map((f) => join(p, f)));
    } else files.push(p);
  }
  return files;
}

/**
 * Runs every case of every file; returns the results. `write` gets the printed lines, `onCase`
 * (progress) the number of cases checked of all the files' cases.
 */
export function runParity(paths: string[], write: (line: string) => void, onCase?: (done: number, total: number, name: string) => void): CaseResult[] {
  // read every file first, so progress knows the total and a bad file fails before any work
  const fixtures = fixtureFiles(paths.length > 0 ? paths : [defaultFixturePath()]).map((file) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { file, fixture: parseFixtureFile(json, file) };
  });
  const total = fixtures.reduce((a, f) => a + f.fixture.cases.length, 0);
  const results: CaseResult[] = [];
  for (const { file, fixture } of fixtures) {
    write(`# ${file}${fixture.generator ? ` (${fixture.generator})` : ''}: ${fixture.cases.length} cases`);
    for (const c of fixture.cases) {
      const r = checkCase(c);
      results.push(r);
      write(formatCaseResult(r));
      onCase?.(results.length, total, c.name);
    }
  }
  const passed = results.filter((r) => r.ok).length;
  write(`${passed} passed, ${results.length - passed} failed`);
  return results;
}

const PARITY_OPTIONS: readonly OptionSpec[] = [{ name: 'quiet' }, { name: 'json' }];

async function parityCommand(f: Flags): Promise<number> {
  const quiet = f.has('quiet');
  const json = f.has('json');
  const bar = progress('parity', { quiet, json });
  const results = runParity(
    f.positionals,
    (line) => {
      if (json) return;
      bar.clear(); // the bar and these lines may share one terminal
      process.stdout.write(`${line}\n`);
    },
    (done, total, name) => bar.update(done, total, `case ${done}/${total} ${name}`),
  );
  const passed = results.filter((r) => r.ok).length;
  bar.done(`${passed} passed, ${results.length - passed} failed`);
  if (json) {
    const cases = results.map((r) => ({
      name: r.name,
      ok: r.ok,
      fields: r.fields.map((x) => ({ field: x.field, ok: x.ok, relError: x.relError, tolerance: x.tolerance })),
      unchecked: r.unchecked,
    }));
    process.stdout.write(`${JSON.stringify({ passed, failed: results.length - passed, cases })}\n`);
  }
  return passed === results.length ? 0 : 1;
}

export const parityHelp = `halfspace parity [FILE_OR_DIR ...] [--json] [--quiet]

Rebuilds every case of the PyTorch fixture files given (default: test/fixtures/torch-parity.json)
and compares output, gates, loss, grads, halfspaces, the sgd/adam trajectories, the path
decomposition (count, sum, top paths), the neural path kernel and the NTK within docs/fixtures.md's
tolerances (relative 1e-9; 1e-8 for trajectories). Prints a line per case, then
'N passed, M failed'; exits 1 on any failure. A field without a checker is listed as unchecked.
--json prints {"passed", "failed", "cases": [{"name", "ok", "fields", "unchecked"}]} instead.`;

export const paritySpec: CommandSpec = {
  name: 'parity',
  summary: 'check the engine against PyTorch fixture files (gradients, trajectories, paths, kernels)',
  help: parityHelp,
  options: PARITY_OPTIONS,
  positionals: { name: 'fixture file', path: 'file', count: 'many' },
  run: parityCommand,
};
