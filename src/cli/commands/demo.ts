// `halfspace demo`: the newcomer's tour - train a DLGN and a ReLU net, read the DLGN's paths, draw its regions.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { disk, split } from '../../data/synthetic.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { saveCheckpoint } from '../../node/checkpoint.js';
import { archLabel } from '../../models/config.js';
import { type Model, createModel } from '../../models/families.js';
import { evaluate, fit } from '../../models/train.js';
import { pathCount, topPaths, verifyDecomposition } from '../../paths/decompose.js';
import { formatPathId, pathNotation } from '../../paths/format.js';
import { arrangement2D } from '../../paths/arrangement.js';
import { constraintsForPathId, formatConstraint } from '../../paths/constraints.js';
import { Tensor } from '../../tensor/tensor.js';
import { regionFigure } from '../../viz/model-figures.js';
import type { CommandSpec, Flags, OptionSpec } from '../args.js';
import { progress } from '../progress.js';

export const demoHelp = `halfspace demo [--out DIR] [--seed S] [--quiet]

Trains a DLGN and a ReLU network on a built-in 2-D data set (a disk), prints the top paths of a
few points with the half-spaces that switch them on and the check that the paths add up to the
output, and writes DIR/report.md with the DLGN's region map (default DIR: halfspace-demo).
Takes well under a minute.`;

const fmt = (v: number): string => v.toFixed(3);

const DEMO_OPTIONS: readonly OptionSpec[] = [
  { name: 'out', value: 'DIR', path: 'dir' },
  { name: 'seed', value: 'S' },
  { name: 'quiet' },
];

async function demoCommand(f: Flags, argv: readonly string[]): Promise<number> {
  const out = f.string('out', 'halfspace-demo');
  const seed = f.number('seed', 1, 'int');
  const quiet = f.has('quiet');
  const say = (s = ''): void => void process.stdout.write(`${s}\n`);
  const t0 = performance.now();

  const data = split(disk({ n: 1200, seed }), [0.6, 0.2, 0.2], seed + 1);
  say('Data: 1200 points on [-1, 1]^2, label 1 inside a centred disk; split 60/20/20.');
  const widths = [8, 8];
  const models: [string, Model][] = [
    ['DLGN', createModel({ kind: 'dlgn', inputDim: 2, widths, outputDim: 2, beta: 10 }, { rng: seed })],
    ['ReLU', createModel({ kind: 'dnn', inputDim: 2, widths, outputDim: 2 }, { rng: seed })],
  ];
  const accuracy: Record<string, number> = {};
  for (const [name, model] of models) {
    const bar = progress(`training ${name}`, { quiet });
    fit(model, data.train, {
      loss: 'ce', epochs: 60, batchSize: 32, lr: 0.01, seed, validation: data.validation,
      onEpochEnd: (e) => bar.update(e.epoch + 1, 60, `epoch ${e.epoch + 1}/60 loss ${e.loss.toFixed(4)}`),
    });
    bar.clear();
    accuracy[name] = evaluate(model, data.test, 'ce').accuracy!;
    say(`${name} ${archLabel({ inputDim: 2, widths, outputDim: 2 })} trained 60 epochs: test accuracy ${(100 * accuracy[name]).toFixed(1)}%`);
  }
  const dlgn = models[0][1];
  say();
  say(`The DLGN's output is a sum over ${pathCount(dlgn)} paths per output, each a value times an activity;`);
  say('a path is active where every gating unit it visits is on, an intersection of half-spaces.');
  say(pathNotation(dlgn.config));
  const points = [
    [0, 0],
    [0.7, 0.6],
    [-0.9, 0.1],
  ];
  const names = ['x1', 'x2'];
  const lines: string[] = [];
  for (const p of points) {
    const x = Tensor.from([p]);
    const logits = dlgn.forward(x).value.values();
    say();
    say(`x = (${p.join(', ')}): logits (${fmt(logits[0])}, ${fmt(logits[1])}), class ${logits[1] > logits[0] ? 1 : 0}; top 3 paths:`);
    for (const path of topPaths(dlgn, x, 3)) {
      say(`  ${formatPathId(path.id, dlgn.config)}  (id ${JSON.stringify(path.id)}): contribution (${fmt(path.contribution[0])}, ${fmt(path.contribution[1])}), activity ${fmt(path.activity)}`);
      const cs = constraintsForPathId(dlgn, path.id);
      for (const c of cs) say(`      on where ${formatConstraint(c, names)}`);
      if (cs.length === 0) say('      always on (the output bias)');
    }
    const check = verifyDecomposition(dlgn, x);
    say(`  sum over all paths - forward output: ${check.maxAbsError.toExponential(1)} (${check.method})`);
    lines.push(`| (${p.join(', ')}) | ${fmt(logits[0])}, ${fmt(logits[1])} | ${check.maxAbsError.toExponential(1)} |`);
  }

  mkdirSync(out, { recursive: true });
  const arr = arrangement2D(dlgn);
  const svg = regionFigure(dlgn, { data: data.test, title: `DLGN ${archLabel({ inputDim: 2, widths, outputDim: 2 })} on the disk: ${arr.cells.length} regions` });
  writeFileAtomic(join(out, 'dlgn-regions.svg'), svg);
  writeFileAtomic(join(out, 'dlgn-patterns.svg'), regionFigure(dlgn, { data: data.test, colorBy: 'pattern', title: 'DLGN: one colour per gate pattern' }));
  saveCheckpoint(join(out, 'dlgn.json'), dlgn, { seed, data: { dataset: 'disk', n: 1200 }, loss: 'ce' });
  const seconds = (performance.now() - t0) / 1000;
  const report = [
    '# halfspace demo',
    '',
    `Command: \`npx halfspace demo ${argv.join(' ')}\` (seed ${seed}), ${seconds.toFixed(1)} s.`,
    '',
    'A DLGN and a ReLU network of the same size, trained on 720 points (label 1 inside a disk):',
    '',
    '| model | test accuracy |',
    '| --- | --- |',
    ...Object.entries(accuracy).map(([n, a]) => `| ${n} | ${(100 * a).toFixed(1)}% |`),
    '',
    `The DLGN's gating network is linear, so each of its ${arr.lines.length} gating units is a line in the plane;`,
    `together they cut the square into ${arr.cells.length} regions. Under hard gates the network is constant on each region:`,
    '',
    '![DLGN region map](dlgn-regions.svg)',
    '',
    '![DLGN gate patterns](dlgn-patterns.svg)',
    '',
    'The output is exactly a sum over paths (value times activity); checked at three points:',
    '',
    '| x | logits | |sum over paths - output| |',
    '| --- | --- | --- |',
    ...lines,
    '',
    `The trained DLGN is saved as \`dlgn.json\`: try \`npx halfspace paths --checkpoint ${join(out, 'dlgn.json')} --x 0.3,-0.2\`.`,
  ].join('\n');
  writeFileAtomic(join(out, 'report.md'), `${report}\n`);
  say();
  say(`Wrote ${join(out, 'report.md')} with the region maps (${join(out, 'dlgn-regions.svg')}), in ${seconds.toFixed(1)} s.`);
  return 0;
}

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary: "start here: train a DLGN and a ReLU net, read the DLGN's paths, draw its regions",
  help: demoHelp,
  options: DEMO_OPTIONS,
  run: demoCommand,
};
