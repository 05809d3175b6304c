// Shell completion as a shell uses it (bash: the script sourced, COMP_WORDS set, the function
// called), and the option tables against the help texts, so neither can drift from the parser.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'halfspace.js');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
let bashScript: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-completion-'));
  const r = cli('completion', 'bash');
  expect(r.status).toBe(0);
  bashScript = path.join(tmp, 'halfspace.bash');
  fs.writeFileSync(bashScript, r.stdout);
  fs.mkdirSync(path.join(tmp, 'data'));
  fs.writeFileSync(path.join(tmp, 'data', 'points.csv'), 'x,y,label\n');
  fs.writeFileSync(path.join(tmp, 'data', 'points2.csv'), 'x,y,label\n');
  fs.mkdirSync(path.join(tmp, 'data', 'runs'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** What bash completes for the command line `words` (the last word is the one being completed). */
function complete(...words: string[]): string[] {
  const program = [
    `source ${sq(bashScript)}`,
    `COMP_WORDS=(${words.map(sq).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_halfspace',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: tmp, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

describe('bash completion', () => {
  it('completes command names, near the start and from nothing', () => {
    expect(complete('halfspace', 'tr')).toEqual(['train', 'tree']);
    expect(complete('halfspace', 'tra')).toEqual(['train']);
    expect(complete('halfspace', 'e')).toEqual(['eval', 'experiment', 'export']);
    expect(complete('halfspace', '')).toEqual([...COMMANDS.map((c) => c.name), 'help', 'version'].sort());
  });

  it("every command's options are exactly its table's, plus --help", () => {
    for (const c of COMMANDS) {
      expect(complete('halfspace', c.name, '--'), c.name).toEqual([...c.options.map((o) => `--${o.name}`), '--help'].sort());
    }
    expect(complete('halfspace', 'train', '--ep')).toEqual(['--epochs']);
  });

  it('values from a fixed list, also after --option=', () => {
    expect(complete('halfspace', 'train', '--model', 'dl')).toEqual(['dlgn', 'dlgn-sf', 'dlgn-vt']);
    expect(complete('halfspace', 'train', '--dataset', '')).toEqual(['blobs', 'disk', 'rings', 'spirals', 'xor']);
    expect(complete('halfspace', 'train', '--model', '=', 're')).toEqual(['relu']);
    expect(complete('halfspace', 'regions', '--color-by', '')).toEqual(['output', 'pattern']);
    expect(complete('halfspace', 'experiment', '--dataset', 's')).toEqual(['sdi', 'sdii']);
  });

  it('files and directories where the value is a path; nothing for free values', () => {
    expect(complete('halfspace', 'train', '--data', 'data/poi')).toEqual(['data/points.csv', 'data/points2.csv']);
    expect(complete('halfspace', 'train', '--out', 'data/')).toEqual(['data/runs']);
    expect(complete('halfspace', 'eval', '--checkpoint', 'data/points2')).toEqual(['data/points2.csv']);
    expect(complete('halfspace', 'train', '--epochs', '')).toEqual([]);
    expect(complete('halfspace', 'parity', 'data/p')).toEqual(['data/points.csv', 'data/points2.csv']);
  });

  it('positionals from their lists', () => {
    expect(complete('halfspace', 'experiment', 'e')).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    expect(complete('halfspace', 'experiment', 'e6', '--quick', 'a')).toEqual(['all']);
    expect(complete('halfspace', 'completion', '')).toEqual(['bash', 'zsh']);
    expect(complete('halfspace', 'bench', '')).toEqual(['gemm', 'step']);
    expect(complete('halfspace', 'help', 'pa')).toEqual(['parity', 'paths']);
  });
});

describe('zsh completion', () => {
  it('declares every option of every command, with its values, from the same tables', () => {
    const r = cli('completion', 'zsh');
    expect(r.status).toBe(0);
    const z = r.stdout;
    expect(z.startsWith('#compdef halfspace\n')).toBe(true);
    expect(z).toContain('compdef _halfspace halfspace');
    for (const c of COMMANDS) {
      const body = new RegExp(`\\n    ${c.name}\\)\\n([\\s\\S]*?)\\n      ;;`).exec(z);
      expect(body, c.name).not.toBeNull();
      const declared = [...body![1].matchAll(/'(--[a-z-]+)/g)].map((m) => m[1]).sort();
      expect(declared, c.name).toEqual([...c.options.map((o) => `--${o.name}`), '--help'].sort());
      for (const o of c.options) if (o.choices) expect(body![1]).toContain(`'--${o.name}:${o.value}:(${o.choices.join(' ')})'`);
      expect(z).toContain(`'${c.name}:${c.summary.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`);
    }
    expect(z).toContain("'--data:FILE.csv:_files'");
    expect(z).toContain("'--out:DIR:_files -/'");
    expect(z).toContain("'*:experiment:(e1 e2 e3 e4 e5 e6 e7 all)'");
  });
});

describe('option tables and help texts agree', () => {
  it('every option a help text mentions is in its table, and every table option is in its help', () => {
    for (const c of COMMANDS) {
      const inHelp = new Set([...c.help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
      const inTable = new Set(c.options.map((o) => o.name));
      for (const name of inHelp) expect(inTable.has(name), `${c.name} --help mentions --${name}, which it does not accept`).toBe(true);
      for (const name of inTable) expect(inHelp.has(name), `${c.name} accepts --${name}, which its help does not mention`).toBe(true);
    }
  });

  it('each command --help is its table entry', () => {
    for (const c of COMMANDS) {
      const r = cli(c.name, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${c.help}\n`);
      expect(cli('help', c.name).stdout).toBe(`${c.help}\n`);
    }
  });

  it('the command list comes from the table, with the exit codes', () => {
    const r = cli('--help');
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toContain('Exit status: 0 success, 1 failure, 2 usage error.');
  });
});
