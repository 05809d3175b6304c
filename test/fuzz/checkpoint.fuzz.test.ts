// Fuzz: hostile and broken checkpoint files. Every mutated text either loads into a model that
// computes, re-serialises to the same bytes and leaves Object.prototype alone, or is refused
// cleanly (a named, short Error), within the time and memory bounds.

import { describe, expect, it } from 'vitest';
import { parseCheckpoint, serializeCheckpoint } from '../../src/models/checkpoint.js';
import { type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/families.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type Gen, cases, expectBounded, expectCleanRefusal, fuzzLoop, gen } from './fuzz.js';

const CONFIGS: ModelConfig[] = [
  { kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1 },
  { kind: 'dnn', inputDim: 3, widths: [2], outputDim: 2, bias: false },
  { kind: 'dlgn-vt', inputDim: 2, widths: [2, 2], outputDim: 1, features: 'sf', gate: 'hard' },
  { kind: 'dgn', inputDim: 2, widths: [2, 2], outputDim: 2 },
];
const BASES = CONFIGS.map((c, i) => serializeCheckpoint(createModel(c, { rng: i }), { seed: i, data: 'xor' }));

const HOSTILE_VALUES = [
  '-1', '0', '1.5', '1e400', '-1e400', '20000', '1e9', '9007199254740993', '"x"', '""', 'null', 'true', '[]', '{}',
  '[20000, 20000]', '[1, -1]', '[0.5]', `"${'v'.repeat(5000)}"`, '{"__proto__": {"polluted": 1}}', '[[[[[[[[1]]]]]]]]',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '', 'k'.repeat(3000)];

/** One mutation of valid checkpoint text, of a kind drawn at random. */
function mutate(g: Gen, text: string): { text: string; how: string; mustRefuse?: boolean } {
  const kind = g.int(0, 8);
  switch (kind) {
    case 0: {
      const at = g.int(0, text.length - 1);
      return { text: text.slice(0, at), how: `truncated at ${at}` };
    }
    case 1: {
      const at = g.int(0, text.length - 1);
      const ch = String.fromCharCode(g.pick([0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x2d, 0x65, 0x5c, 0x00]));
      return { text: text.slice(0, at) + ch + text.slice(at + 1), how: `byte ${at} -> ${JSON.stringify(ch)}` };
    }
    case 2: {
      // a number token replaced by a hostile value
      const nums = [...text.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/g)];
      const m = g.pick(nums);
      const v = g.pick(HOSTILE_VALUES);
      return { text: text.slice(0, m.index) + v + text.slice(m.index! + m[0].length), how: `number at ${m.index} -> ${v.slice(0, 40)}` };
    }
    case 3: {
      // a string value replaced
      const strs = [...text.matchAll(/: ("[^"]*")/g)];
      const m = g.pick(strs);
      const v = g.pick(HOSTILE_VALUES);
      const at = m.index! + 2;
      return { text: text.slice(0, at) + v + text.slice(at + m[1].length), how: `string at ${at} -> ${v.slice(0, 40)}` };
    }
    case 4: {
      // a member removed
      const keys = [...text.matchAll(/\n\s*"[^"]+": [^\n]*,/g)];
      const m = g.pick(keys);
      return { text: text.slice(0, m.index) + text.slice(m.index! + m[0].length), how: `member removed at ${m.index}` };
    }
    case 5: {
      // a member duplicated (same key, maybe another value)
      const keys = [...text.matchAll(/\n(\s*)("[^"]+"): ([^\n{[]*),/g)];
      const m = g.pick(keys);
      const dup = `\n${m[1]}${m[2]}: ${g.chance(0.5) ? m[3] : g.pick(HOSTILE_VALUES)},`;
      return { text: text.slice(0, m.index) + dup + text.slice(m.index!), how: `key ${m[2]} duplicated`, mustRefuse: true };
    }
    case 6: {
      // a hostile key added to some object
      const opens = [...text.matchAll(/\{\n/g)];
      const m = g.pick(opens);
      const at = m.index! + 2;
      const key = g.pick(HOSTILE_KEYS);
      return { text: `${text.slice(0, at)}${JSON.stringify(key)}: ${g.pick(HOSTILE_VALUES)},\n${text.slice(at)}`, how: `key ${key.slice(0, 20)} added` };
    }
    case 7: {
      const depth = g.pick([10, 63, 64, 65, 1000, 100_000]);
      const at = text.indexOf('"training": {') + '"training": {'.length;
      return { text: `${text.slice(0, at)}"deep": ${'['.repeat(depth)}${']'.repeat(depth)},${text.slice(at)}`, how: `nesting ${depth}`, mustRefuse: depth >= 63 };
    }
    default: {
      // a width changed in the config (the parameters no longer fit, or a huge model is claimed)
      const w = g.pick(['[20000, 20000]', '[1000000]', `[${new Array(g.int(1, 5000)).fill(1).join(', ')}]`, '[3]', '[3, 3, 3]', '[2, 2]']);
      return { text: text.replace(/"widths": \[[^\]]*\]/, `"widths": ${w}`), how: `widths -> ${w.slice(0, 30)}` };
    }
  }
}

describe('fuzz: checkpoints', () => {
  it(`mutated checkpoints load correctly or are refused cleanly (${cases(400)} cases)`, () => {
    const g = gen(1);
    let refused = 0;
    let loaded = 0;
    const stats = fuzzLoop(cases(400), (i) => {
      const base = g.pick(BASES);
      const { text, how, mustRefuse } = mutate(g, base);
      const what = `case ${i} (${how})`;
      let result: ReturnType<typeof parseCheckpoint> | undefined;
      try {
        result = parseCheckpoint(text, 'fuzz.json');
      } catch (e) {
        expectCleanRefusal(e, 'checkpoint fuzz.json: ', what);
        refused++;
        return;
      }
      expect(mustRefuse, `${what}: loaded, but must be refused`).not.toBe(true);
      loaded++;
      // what loads computes, is finite, and saves back to text that loads to the same bytes
      const { model, meta } = result;
      for (const [, p] of model.namedParameters()) for (const v of p.value.values()) expect(Number.isFinite(v), what).toBe(true);
      const x = Tensor.zeros([2, model.config.inputDim]);
      expect(model.forward(x).shape, what).toEqual([2, model.config.outputDim]);
      const again = serializeCheckpoint(model, meta);
      expect(serializeCheckpoint(parseCheckpoint(again, 'again').model, meta), what).toBe(again);
      expect(({} as Record<string, unknown>).polluted, what).toBeUndefined();
    });
    expect(refused + loaded).toBe(cases(400));
    expect(refused).toBeGreaterThan(cases(400) / 2); // the mutations mostly break something
    expect(loaded).toBeGreaterThan(0); // and some harmless ones load (an equal duplicate is still refused)
    expectBounded(stats, 'checkpoints');
    console.log(`fuzz checkpoints: ${stats.cases} cases, ${refused} refused, ${loaded} loaded; slowest ${stats.slowestMs.toFixed(0)} ms, total ${stats.totalMs.toFixed(0)} ms, peak heap ${stats.peakHeapMB.toFixed(0)} MB`);
  });
});
