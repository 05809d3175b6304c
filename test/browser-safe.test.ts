// The browser-safe split, proved on the built package: every entry but 'halfspace/node' bundles for
// a browser with no node: import and no reference to process or Buffer; 'halfspace/node' does not.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
const entries = Object.entries(pkg.exports)
  .filter(([, v]) => typeof v === 'object')
  .map(([k, v]) => [k === '.' ? 'halfspace' : `halfspace${k.slice(1)}`, (v as Record<string, string>).import] as const);

// free references to these globals are replaced by markers (define touches only unbound
// identifiers, never strings, comments, properties or local variables), then searched for
const MARK = { process: '__NODE_GLOBAL_process__', Buffer: '__NODE_GLOBAL_Buffer__' };

async function bundle(file: string | { contents: string }): Promise<{ errors: string[]; globals: string[] }> {
  try {
    const out = await build({
      ...(typeof file === 'string' ? { entryPoints: [join(root, file)] } : { stdin: { contents: file.contents, resolveDir: root } }),
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      define: { process: MARK.process, Buffer: MARK.Buffer, 'globalThis.process': MARK.process, 'globalThis.Buffer': MARK.Buffer },
    });
    const code = out.outputFiles[0].text;
    return { errors: [], globals: Object.entries(MARK).filter(([, m]) => code.includes(m)).map(([g]) => g) };
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors?.map((x) => x.text) ?? [String(e)];
    return { errors, globals: [] };
  }
}

describe('browser-safe entries (esbuild, platform browser, built dist/)', () => {
  it('the exports map lists the entries', () => {
    expect(entries.map(([n]) => n)).toEqual(expect.arrayContaining(['halfspace', 'halfspace/io', 'halfspace/viz', 'halfspace/node']));
  });

  it.each(entries.filter(([n]) => n !== 'halfspace/node'))('%s bundles with no node: import, process or Buffer', async (_name, file) => {
    const r = await bundle(file);
    expect(r.errors).toEqual([]);
    expect(r.globals).toEqual([]);
  });

  it('the check sees free process and Buffer references, not strings or local names', async () => {
    const r = await bundle({ contents: 'export const f = (process) => process.x + "process Buffer"; export const g = () => Buffer.from("x");' });
    expect(r.globals).toEqual(['Buffer']);
    expect((await bundle({ contents: 'export const h = () => globalThis.process?.env;' })).globals).toEqual(['process']);
  });

  it('halfspace/node is caught by the same check (so the check can fail)', async () => {
    const r = await bundle(entries.find(([n]) => n === 'halfspace/node')![1]);
    expect(r.errors.some((e) => /Could not resolve "node:/.test(e))).toBe(true);
  });
});
