// `halfspace parity`: checks the engine against PyTorch fixture files, a line per case.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CaseResult, checkCase, formatCaseResult, parseFixtureFile } from '../../io/parity.js';

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
      throw new Error(`parity: no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      const inside = readdirSync(p).filter((f) => f.endsWith('.json')).sort();
      if (inside.length === 0) throw new Error(`parity: directory ${p} holds no .json fixture files`);
      files.push(...inside.map((f) => join(p, f)));
    } else files.push(p);
  }
  return files;
}

/** Runs every case of every file; returns the results and the printed lines. */
export function runParity(paths: string[], write: (line: string) => void): CaseResult[] {
  const results: CaseResult[] = [];
  for (const file of fixtureFiles(paths.length > 0 ? paths : [defaultFixturePath()])) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`parity: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const fixture = parseFixtureFile(json, file);
    write(`# ${file}${fixture.generator ? ` (${fixture.generator})` : ''}: ${fixture.cases.length} cases`);
    for (const c of fixture.cases) {
      const r = checkCase(c);
      results.push(r);
      write(formatCaseResult(r));
    }
  }
  const passed = results.filter((r) => r.ok).length;
  write(`${passed} passed, ${results.length - passed} failed`);
  return results;
}

export const parityHelp = `halfspace parity [FILE_OR_DIR ...]

Rebuilds every case of the PyTorch fixture files given (default: test/fixtures/torch-parity.json)
and compares output, gates, loss, grads, halfspaces, the sgd/adam trajectories, the path
decomposition (count, sum, top paths), the neural path kernel and the NTK within docs/fixtures.md's
tolerances (relative 1e-9; 1e-8 for trajectories). Prints a line per case, then
'N passed, M failed'; exits 1 on any failure. A field without a checker is listed as unchecked.`;
