// The CLI's argument parsing, from one declarative table per command: the parser, the typed
// accessors, the "did you mean" suggestions and the shell completion scripts all read the same
// tables, so they cannot drift apart.

import { clipText } from '../tensor/errors.js';

/** One `--option` of a command. */
export interface OptionSpec {
  /** Without the dashes: `epochs`, `no-bias`. */
  name: string;
  /** Placeholder of the value (`N`, `FILE`); absent for a flag that takes no value. */
  value?: string;
  /** The values it accepts, when they are a fixed list (completion offers them). */
  choices?: readonly string[];
  /** Its value is a path: completion offers files (`file`) or directories (`dir`). */
  path?: 'file' | 'dir';
}

/** The positional arguments of a command, for completion and for the usage check. */
export interface PositionalSpec {
  /** What it is, in messages (`unknown experiment 'e9'`) and completion, e.g. `experiment`. */
  name: string;
  /** The words it accepts, when fixed (completion offers them). */
  choices?: readonly string[];
  /** Completion offers file names. */
  path?: 'file' | 'dir';
  /** How many: `one`, `many` (zero or more); default none allowed. */
  count: 'one' | 'many';
}

/** A command: its name, one-line summary, help text, option table and what it does. */
export interface CommandSpec {
  name: string;
  summary: string;
  help: string;
  options: readonly OptionSpec[];
  positionals?: PositionalSpec;
  /** Runs the command on its parsed arguments (`argv` as given, for reports that quote the command). */
  run(args: Flags, argv: readonly string[]): Promise<number>;
}

/** A mistake in how the command was called: reported with the usage hint, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The options every command takes (listed in completion; `--help` is handled before parsing). */
export const HELP_OPTION: OptionSpec = { name: 'help' };

/**
 * Edit distance with adjacent transpositions (optimal string alignment): `trian` is 1 from
 * `train`, `epoch` 1 from `epochs`.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidates close enough to `word` to be what was meant, closest first: none for words of
 * one or two letters (everything is near them), within 1 edit for
 * words of up to 4 letters, 2 for longer ones, or a candidate that `word` is a prefix of
 * (at least 3 letters).
 */
export function suggest(word: string, candidates: readonly string[]): string[] {
  // a word far longer than any candidate is near none of them (and its edit distance is costly)
  if (word.length > 64) return [];
  const limit = word.length <= 2 ? 0 : word.length <= 4 ? 1 : 2;
  const scored = candidates
    .map((c) => ({ c, d: c.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((s) => s.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.map((s) => s.c);
}

/** ` (did you mean --epochs?)`, or nothing. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const s = suggest(word, candidates).slice(0, 3);
  if (s.length === 0) return '';
  return `; did you mean ${s.map((c) => `${prefix}${c}`).join(' or ')}?`;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `--flag value`, `--flag=value`, value-less flags and positionals (everything after
 * `--` is positional) against the command's table. Unknown options, a missing value and a value
 * given to a flag that takes none are UsageErrors; an unknown option names its near misses.
 */
export function parseArgs(argv: readonly string[], spec: Pick<CommandSpec, 'options' | 'positionals'>): ParsedArgs {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) {
      positionals.push(a);
      continue;
    }
    if (!a.startsWith('--')) {
      throw new UsageError(`unknown option ${clipText(a)} (options are spelled --name)${didYouMean(a.replace(/^-+/, ''), spec.options.map((o) => o.name), '--')}`);
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const opt = byName.get(name);
    if (opt === undefined) {
      throw new UsageError(`unknown option --${clipText(name)}${didYouMean(name, spec.options.map((o) => o.name), '--')}`);
    }
    if (opt.value === undefined) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got '${clipText(a.slice(eq + 1))}'`);
      flags.set(name, true);
      continue;
    }
    if (eq >= 0) {
      flags.set(name, a.slice(eq + 1));
      continue;
    }
    const v = argv[i + 1];
    // a following option is not a value (but a negative number is)
    if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`--${name} needs a value (--${name} ${opt.value})`);
    flags.set(name, v);
    i++;
  }
  const pos = spec.positionals;
  if (pos === undefined && positionals.length > 0) throw new UsageError(`unexpected argument '${clipText(positionals[0])}'`);
  if (pos?.count === 'one' && positionals.length > 1) throw new UsageError(`unexpected argument '${clipText(positionals[1])}' (one ${pos.name} only)`);
  if (pos?.choices) {
    for (const p of positionals) {
      if (!pos.choices.includes(p)) {
        throw new UsageError(`unknown ${pos.name} '${clipText(p)}' (expected ${pos.choices.join(', ')})${p.length > 2 ? didYouMean(p, pos.choices) : ''}`);
      }
    }
  }
  return { positionals, flags };
}

/** A decimal number as a user types one: 12, -0.5, .5, 1e-3 (no hex, no spaces, no Infinity). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Typed access to a command's parsed arguments, with usage errors naming the option and the bad value. */
export class Flags {
  private readonly names: Set<string>;

  constructor(
    private readonly parsed: ParsedArgs,
    spec: Pick<CommandSpec, 'options'>,
  ) {
    this.names = new Set(spec.options.map((o) => o.name));
  }

  /** The positional arguments, in order. */
  get positionals(): string[] {
    return this.parsed.positionals;
  }

  // reading an option the table does not declare is a bug in the command, not a user error
  private declared(name: string): void {
    if (!this.names.has(name)) throw new Error(`internal: option --${name} is not in the command's option table`);
  }

  has(name: string): boolean {
    this.declared(name);
    return this.parsed.flags.has(name);
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    this.declared(name);
    const v = this.parsed.flags.get(name);
    if (v === undefined) return fallback;
    if (v === true) throw new UsageError(`--${name} needs a value`);
    return v;
  }

  /** A required option's value. */
  required(name: string, what: string): string {
    const v = this.string(name);
    if (v === undefined) throw new UsageError(`--${name} ${what} is required`);
    return v;
  }

  choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const v = this.string(name, fallback);
    if (!options.includes(v as T)) throw new UsageError(`--${name} must be one of ${options.join(', ')}, got '${clipText(v)}'${didYouMean(v, options)}`);
    return v as T;
  }

  number(name: string, fallback: number, check: 'int' | 'positive-int' | 'positive' | 'nonneg' | 'any' = 'any'): number {
    const s = this.string(name);
    if (s === undefined) return fallback;
    const v = Number(s);
    const ok =
      // decimal only: Number() would also take '0x10', '0b11', ' 5 ' and ''
      DECIMAL.test(s) &&
      Number.isFinite(v) &&
      (check === 'any' ||
        (check === 'int' && Number.isInteger(v)) ||
        (check === 'positive-int' && Number.isInteger(v) && v > 0) ||
        (check === 'positive' && v > 0) ||
        (check === 'nonneg' && v >= 0));
    if (!ok) {
      const what = { any: 'a number', int: 'an integer', 'positive-int': 'a positive integer', positive: 'a number > 0', nonneg: 'a number >= 0' }[check];
      throw new UsageError(`--${name} must be ${what}, got '${clipText(s)}'`);
    }
    return v;
  }

  intList(name: string, fallback: number[]): number[] {
    const s = this.string(name);
    if (s === undefined) return fallback;
    const parts = s.split(',').map((p) => p.trim());
    const out = parts.map(Number);
    if (parts.some((p) => !DECIMAL.test(p)) || out.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new UsageError(`--${name} must be a comma-separated list of positive integers, got '${clipText(s)}'`);
    }
    return out;
  }

  numberList(name: string): number[] | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const parts = s.split(',').map((p) => p.trim());
    const out = parts.map(Number);
    if (parts.some((p) => !DECIMAL.test(p)) || out.some((v) => !Number.isFinite(v))) throw new UsageError(`--${name} must be comma-separated numbers, got '${clipText(s)}'`);
    return out;
  }
}
