// A small argument parser for the CLI: --flag value, --flag=value, --no-flag, positionals.

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that never take a value (everything else takes the next word). */
export function parseArgs(argv: string[], booleanFlags: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (eq >= 0) flags.set(name, a.slice(eq + 1));
    else if (booleanFlags.includes(name)) flags.set(name, true);
    else {
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new Error(`--${name} needs a value`);
      flags.set(name, v);
      i++;
    }
  }
  return { positionals, flags };
}

/** Typed access to parsed flags, with errors that name the flag and the bad value. */
export class Flags {
  private readonly used = new Set<string>();

  constructor(
    private readonly parsed: ParsedArgs,
    private readonly command: string,
  ) {}

  has(name: string): boolean {
    this.used.add(name);
    return this.parsed.flags.has(name);
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    this.used.add(name);
    const v = this.parsed.flags.get(name);
    if (v === undefined) return fallback;
    if (v === true) throw new Error(`${this.command}: --${name} needs a value`);
    return v;
  }

  choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const v = this.string(name, fallback);
    if (!options.includes(v as T)) throw new Error(`${this.command}: --${name} must be one of ${options.join(', ')}, got '${v}'`);
    return v as T;
  }

  number(name: string, fallback: number, check: 'int' | 'positive-int' | 'positive' | 'nonneg' | 'any' = 'any'): number {
    const s = this.string(name);
    if (s === undefined) return fallback;
    const v = Number(s);
    const ok =
      Number.isFinite(v) &&
      (check === 'any' ||
        (check === 'int' && Number.isInteger(v)) ||
        (check === 'positive-int' && Number.isInteger(v) && v > 0) ||
        (check === 'positive' && v > 0) ||
        (check === 'nonneg' && v >= 0));
    if (!ok) {
      const what = { any: 'a number', int: 'an integer', 'positive-int': 'a positive integer', positive: 'a number > 0', nonneg: 'a number >= 0' }[check];
      throw new Error(`${this.command}: --${name} must be ${what}, got '${s}'`);
    }
    return v;
  }

  intList(name: string, fallback: number[]): number[] {
    const s = this.string(name);
    if (s === undefined) return fallback;
    const parts = s.split(',').map((p) => p.trim());
    const out = parts.map(Number);
    if (parts.length === 0 || out.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new Error(`${this.command}: --${name} must be a comma-separated list of positive integers, got '${s}'`);
    }
    return out;
  }

  numberList(name: string): number[] | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const out = s.split(',').map((p) => Number(p.trim()));
    if (out.some((v) => !Number.isFinite(v))) throw new Error(`${this.command}: --${name} must be comma-separated numbers, got '${s}'`);
    return out;
  }

  /** Throws on any flag the command did not ask for (catches typos like --epoch). */
  rejectUnknown(): void {
    for (const name of this.parsed.flags.keys()) {
      if (!this.used.has(name)) throw new Error(`${this.command}: unknown option --${name} (see 'halfspace ${this.command} --help')`);
    }
  }
}
