// Runs every `ts` code block of README.md and docs/*.md against the built package, so the docs stay true.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const entry = pathToFileURL(join(root, 'dist', 'index.js')).href;
const subpath = (sub: string): string => pathToFileURL(join(root, 'dist', sub, 'index.js')).href;
const work = mkdtempSync(join(tmpdir(), 'halfspace-docs-'));

function blocks(page: string): string[] {
  const text = readFileSync(join(root, page), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const cases = pages.flatMap((page) => blocks(page).map((code, i) => [`${page} block ${i + 1}`, code] as const));

describe('documentation examples run', () => {
  it('finds examples', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('%s', async (name, code) => {
    // every console.assert must hold: make a failed one throw
    const prelude = `const __assert = console.assert; console.assert = (c, ...m) => { if (!c) throw new Error('assertion failed: ' + m.join(' ')); };\n`;
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(work, `${name.replace(/[^a-z0-9]+/gi, '-')}.mjs`);
    const resolved = js.replace(/from ['"]halfspace(?:\/([a-z]+))?['"]/g, (_m, sub?: string) => `from '${sub === undefined ? entry : subpath(sub)}'`);
    writeFileSync(file, prelude + resolved + '\nconsole.assert = __assert;\n');
    await import(pathToFileURL(file).href);
  });
});
