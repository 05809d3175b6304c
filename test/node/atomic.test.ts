// The multi-file atomic write, stale temp cleanup and output directory checks of src/node/atomic.ts.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanStaleTemps, prepareOutputDir, writeFilesAtomic } from '../../src/node/atomic.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-atomic-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('writeFilesAtomic', () => {
  it('writes every file, renames in the order given, leaves no temp file', () => {
    const dir = path.join(tmp, 'w');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.json'), 'old a');
    writeFilesAtomic([
      { path: path.join(dir, 'a.json'), data: 'new a' },
      { path: path.join(dir, 'b.json'), data: new Uint8Array([104, 105]) },
    ]);
    expect(fs.readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('new a');
    expect(fs.readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe('hi');
    expect(fs.readdirSync(dir).sort()).toEqual(['a.json', 'b.json']);
  });

  it('a failure before the renames leaves every target as it was; a failed rename leaves no temp', () => {
    const dir = path.join(tmp, 'f');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.json'), 'old a');
    // the second file's directory is missing: refused before anything is written
    expect(() =>
      writeFilesAtomic([
        { path: path.join(dir, 'a.json'), data: 'new a' },
        { path: path.join(dir, 'missing', 'b.json'), data: 'b' },
      ]),
    ).toThrow(`writeFilesAtomic: cannot write '${path.join(dir, 'missing', 'b.json')}': directory '${path.join(dir, 'missing')}' does not exist`);
    expect(fs.readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('old a');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
    // the second target is a directory: its temp cannot be renamed over it; the first was renamed
    // already (the documented window), no temp is left
    fs.mkdirSync(path.join(dir, 'b.json'));
    expect(() =>
      writeFilesAtomic([
        { path: path.join(dir, 'a.json'), data: 'new a' },
        { path: path.join(dir, 'b.json'), data: 'b' },
      ]),
    ).toThrow(/writeFilesAtomic: cannot write '.*b\.json'/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('cleanStaleTemps', () => {
  it('removes the temps of dead writers for the names given, keeps live ones and other files', () => {
    const dir = path.join(tmp, 'c');
    fs.mkdirSync(dir);
    const files = ['m.json.99999999.abcdefgh.tmp', `m.json.${process.pid}.abcdefgh.tmp`, 'n.json.99999999.abcdefgh.tmp', 'm.json.99999999.short.tmp', 'm.json'];
    for (const f of files) fs.writeFileSync(path.join(dir, f), 'x');
    expect(cleanStaleTemps(dir, ['m.json'])).toEqual(['m.json.99999999.abcdefgh.tmp']);
    expect(fs.readdirSync(dir).sort()).toEqual(files.slice(1).sort());
    expect(cleanStaleTemps(dir).sort()).toEqual(['n.json.99999999.abcdefgh.tmp']);
    expect(cleanStaleTemps(path.join(dir, 'nope'))).toEqual([]);
  });
});

describe('prepareOutputDir', () => {
  it('creates missing levels, refuses files in the way and procfs paths at once', () => {
    const out = path.join(tmp, 'p', 'q', 'r');
    prepareOutputDir(out, ['model.json']);
    expect(fs.statSync(out).isDirectory()).toBe(true);
    expect(fs.readdirSync(out)).toEqual([]); // the probe is gone
    fs.writeFileSync(path.join(tmp, 'file'), '');
    expect(() => prepareOutputDir(path.join(tmp, 'file', 'x'), [], '--out')).toThrow(`--out '${path.join(tmp, 'file', 'x')}': '${path.join(tmp, 'file')}' exists and is not a directory`);
    fs.mkdirSync(path.join(out, 'model.json'));
    expect(() => prepareOutputDir(out, ['model.json'])).toThrow("exists and is not a regular file");
    const t0 = Date.now();
    expect(() => prepareOutputDir('/proc/halfspace-nope/a/b', [])).toThrow("output directory '/proc/halfspace-nope/a/b': cannot create '/proc/halfspace-nope' (ENOENT)");
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
