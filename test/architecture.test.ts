// Keeps the shape of the house honest: dependency direction, browser-safe core, one ndarray adapter.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  // comments are removed first, so examples in TSDoc do not count as imports
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

/** The src/ layer a file belongs to (`tensor`, `autograd`, ...), or '.' for src/index.ts. */
const layerOf = (file: string): string => relative(src, file).split('/')[0].replace(/\.ts$/, '.');

// Who may import whom: tensor <- autograd <- models <- paths; data, io, cli on top.
const allowed: Record<string, string[]> = {
  tensor: ['tensor'],
  autograd: ['tensor', 'autograd'],
  models: ['tensor', 'autograd', 'models'],
  paths: ['tensor', 'autograd', 'models', 'paths'],
  data: ['tensor', 'data'],
  viz: ['tensor', 'autograd', 'models', 'paths', 'data', 'viz'],
  experiments: ['tensor', 'autograd', 'models', 'paths', 'data', 'viz', 'experiments'],
  // browser-safe model I/O (checkpoints, parity); files are src/node's
  io: ['tensor', 'autograd', 'models', 'paths', 'data', 'io'],
  // Node-only (files, worker threads): plugs into the core and reads and writes what it serialises
  node: ['tensor', 'models', 'data', 'io', 'node'],
  cli: ['tensor', 'autograd', 'models', 'paths', 'data', 'viz', 'experiments', 'io', 'node', 'cli'],
  'index.': ['tensor', 'autograd', 'models', 'paths', 'data', 'viz', 'io'],
};

describe('architecture', () => {
  const all = files(src);

  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all.map((f) => [relative(root, f), f]))('%s imports only layers below it', (_name, file) => {
    const layer = layerOf(file);
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = layerOf(join(file, '..', spec));
      expect(allowed[layer], `${relative(root, file)} imports ${spec}`).toContain(target);
    }
  });

  it('keeps node: imports out of the browser-safe core', () => {
    const core = all.filter((f) => ['tensor', 'autograd', 'models', 'paths', 'data', 'viz', 'experiments', 'io', 'index.'].includes(layerOf(f)));
    const offenders = core.filter((f) => imports(f).some((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads'].includes(s)));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('imports ndarray from exactly one adapter file', () => {
    const users = all.filter((f) => imports(f).includes('ndarray')).map((f) => relative(root, f));
    expect(users).toEqual(['src/tensor/ndarray.ts']);
  });

  it('imports no third-party package anywhere else in src', () => {
    const external = all.flatMap((f) =>
      imports(f)
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && s !== 'ndarray')
        .map((s) => `${relative(root, f)}: ${s}`),
    );
    expect(external).toEqual([]);
  });
});
