// package.json keeps its word: every export resolves to built files, and `sideEffects` lists
// exactly the modules that do something when imported.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  sideEffects: string[] | boolean;
  scripts: Record<string, string>;
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Top-level statements that run something on import (anything but imports, exports and declarations). */
function effects(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const quiet = new Set([
    ts.SyntaxKind.ImportDeclaration,
    ts.SyntaxKind.ExportDeclaration,
    ts.SyntaxKind.FunctionDeclaration,
    ts.SyntaxKind.ClassDeclaration,
    ts.SyntaxKind.InterfaceDeclaration,
    ts.SyntaxKind.TypeAliasDeclaration,
    // `const X = f(...)` computes a value the module owns: unused, a bundler may drop it
    ts.SyntaxKind.VariableStatement,
    ts.SyntaxKind.EmptyStatement,
  ]);
  return sf.statements.filter((s) => !quiet.has(s.kind)).map((s) => `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(s.getStart()).line + 1}: ${s.getText().slice(0, 60)}`);
}

// top-level blocks that only fill tables their own module declares: nothing outside the module
// sees them run, so a bundler may drop the module when nothing of it is used
const LOCAL_INIT: Record<string, string> = { 'src/tensor/math.ts': 'the exp table POW2/TAB' };

function observable(file: string): string[] {
  const all = effects(file);
  const rel = relative(root, file);
  if (!(rel in LOCAL_INIT)) return all;
  // only `{ ... }` blocks are exempt
  return all.filter((e) => !e.split(': ').slice(1).join(': ').startsWith('{'));
}

describe('package.json', () => {
  it('every export has types, import and default targets that exist in dist/', () => {
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (key === './package.json') continue;
      expect(typeof target, key).toBe('object');
      const t = target as Record<string, string>;
      expect(Object.keys(t), key).toEqual(['types', 'import', 'default']);
      for (const f of Object.values(t)) expect(existsSync(join(root, f)), `${key}: ${f}`).toBe(true);
    }
  });

  it('sideEffects lists exactly the modules with top-level statements that run on import', () => {
    const found = files(join(root, 'src')).filter((f) => observable(f).length > 0);
    const asDist = found.map((f) => `./dist/${relative(join(root, 'src'), f).replace(/\.ts$/, '.js')}`).sort();
    expect(Array.isArray(pkg.sideEffects)).toBe(true);
    expect([...(pkg.sideEffects as string[])].sort(), found.flatMap(observable).join('\n')).toEqual(asDist);
  });

  it('builds on pack, not on the consumer install', () => {
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
    expect(pkg.scripts.test).toMatch(/npm run build/);
  });
});
