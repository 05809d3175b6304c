// Runs the `typescript` examples of docs/interop.md against the built package (subpath imports
// resolved to their own entry points), in a directory holding the committed PyTorch files.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const text = readFileSync(join(root, 'docs', 'interop.md'), 'utf8');
const blocks = [...text.matchAll(/```typescript\n([\s\S]*?)```/g)].map((m) => m[1]);
const work = mkdtempSync(join(tmpdir(), 'halfspace-interop-docs-'));
cpSync(join(root, 'test', 'fixtures', 'safetensors'), work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entry = (sub: string | undefined): string => pathToFileURL(join(root, 'dist', sub ?? '', 'index.js')).href;

describe('docs/interop.md examples run', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(1);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))('block %i', async (i, code) => {
    const prelude = `const __assert = console.assert; console.assert = (c, ...m) => { if (!c) throw new Error('assertion failed: ' + m.join(' ')); };\nconst __log = console.log; console.log = () => {};\n`;
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const resolved = js.replace(/from ['"]halfspace(?:\/([a-z]+))?['"]/g, (_m, sub: string | undefined) => `from '${entry(sub)}'`);
    const file = join(work, `block-${i}.mjs`);
    writeFileSync(file, `${prelude}${resolved}\nconsole.assert = __assert; console.log = __log;\n`);
    const cwd = process.cwd();
    process.chdir(work);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      process.chdir(cwd);
    }
  });
});
