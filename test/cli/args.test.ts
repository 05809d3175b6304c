// The argument parser against option tables: unknown options, values, suggestions, positionals.

import { describe, expect, it } from 'vitest';
import { type CommandSpec, Flags, UsageError, didYouMean, editDistance, parseArgs, suggest } from '../../src/cli/args.js';

const SPEC: Pick<CommandSpec, 'options' | 'positionals'> = {
  options: [
    { name: 'epochs', value: 'N' },
    { name: 'model', value: 'NAME', choices: ['dlgn', 'relu'] },
    { name: 'x', value: 'V1,V2' },
    { name: 'no-bias' },
    { name: 'quiet' },
  ],
};

const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('editDistance and suggestions', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('trian', 'train')).toBe(1);
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests near misses only, closest first', () => {
    expect(suggest('trian', ['train', 'eval', 'paths'])).toEqual(['train']);
    expect(suggest('widht', ['widths', 'width-x', 'beta'])).toEqual(['widths']);
    expect(suggest('zzz', ['train', 'eval'])).toEqual([]);
    // a prefix of three letters or more is close
    expect(suggest('exp', ['experiment', 'eval'])).toEqual(['experiment']);
    // short words allow one edit only
    expect(suggest('lr', ['lr', 'n'])).toEqual(['lr']);
    expect(suggest('ab', ['xy'])).toEqual([]);
    expect(didYouMean('epoch', ['epochs', 'batch'], '--')).toBe('; did you mean --epochs?');
    expect(didYouMean('qqqq', ['epochs'])).toBe('');
  });
});

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, value-less flags, positionals and --', () => {
    const p = parseArgs(['--epochs', '5', '--model=relu', '--no-bias', 'pos', '--x', '-0.5,1', '--', '--quiet'], { ...SPEC, positionals: { name: 'thing', count: 'many' } });
    expect(Object.fromEntries(p.flags)).toEqual({ epochs: '5', model: 'relu', 'no-bias': true, x: '-0.5,1' });
    expect(p.positionals).toEqual(['pos', '--quiet']);
  });

  it('an unknown option is unknown, wherever it is and whatever follows', () => {
    expect(usage(() => parseArgs(['--bogus'], SPEC))).toBe('unknown option --bogus');
    expect(usage(() => parseArgs(['--bogus', '3'], SPEC))).toBe('unknown option --bogus');
    expect(usage(() => parseArgs(['--epoch', '3'], SPEC))).toBe('unknown option --epoch; did you mean --epochs?');
    expect(usage(() => parseArgs(['--modle=dlgn'], SPEC))).toBe('unknown option --modle; did you mean --model?');
    expect(usage(() => parseArgs(['-q'], SPEC))).toBe('unknown option -q (options are spelled --name)');
  });

  it('a missing value, and a value given to a flag without one', () => {
    expect(usage(() => parseArgs(['--epochs'], SPEC))).toBe('--epochs needs a value (--epochs N)');
    expect(usage(() => parseArgs(['--epochs', '--quiet'], SPEC))).toBe('--epochs needs a value (--epochs N)');
    expect(usage(() => parseArgs(['--quiet=1'], SPEC))).toBe("--quiet takes no value, got '1'");
  });

  it('positionals: none allowed unless declared; one; from a fixed list', () => {
    expect(usage(() => parseArgs(['stray'], SPEC))).toBe("unexpected argument 'stray'");
    const one = { ...SPEC, positionals: { name: 'shell', choices: ['bash', 'zsh'], count: 'one' as const } };
    expect(parseArgs(['zsh'], one).positionals).toEqual(['zsh']);
    expect(usage(() => parseArgs(['bash', 'zsh'], one))).toBe("unexpected argument 'zsh' (one shell only)");
    expect(usage(() => parseArgs(['bsah'], one))).toBe("unknown shell 'bsah' (expected bash, zsh); did you mean bash?");
  });
});

describe('Flags', () => {
  const flags = (argv: string[]): Flags => new Flags(parseArgs(argv, SPEC), SPEC);

  it('typed values with usage errors naming the option and the value', () => {
    expect(flags(['--epochs', '7']).number('epochs', 1, 'positive-int')).toBe(7);
    expect(flags([]).number('epochs', 3, 'positive-int')).toBe(3);
    expect(usage(() => flags(['--epochs', '0']).number('epochs', 1, 'positive-int'))).toBe("--epochs must be a positive integer, got '0'");
    expect(usage(() => flags(['--epochs', '']).number('epochs', 1))).toBe("--epochs must be a number, got ''");
    expect(usage(() => flags(['--model', 'dlgm']).choice('model', ['dlgn', 'relu'] as const, 'dlgn'))).toBe(
      "--model must be one of dlgn, relu, got 'dlgm'; did you mean dlgn?",
    );
    expect(flags(['--x', '0.5, -1']).numberList('x')).toEqual([0.5, -1]);
    expect(usage(() => flags(['--x', '1,,2']).numberList('x'))).toBe("--x must be comma-separated numbers, got '1,,2'");
    expect(usage(() => flags([]).required('epochs', 'N'))).toBe('--epochs N is required');
  });

  it('reading an option the table does not declare is a bug, not a usage error', () => {
    expect(() => flags([]).has('verbose')).toThrow('internal: option --verbose is not in the command');
    expect(() => flags([]).has('verbose')).not.toThrow(UsageError);
  });
});
