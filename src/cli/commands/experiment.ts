// `halfspace experiment`: runs the paper's experiments (docs/experiments/protocols.md) and writes report.md, figures and metrics.json.

import { mkdirSync } from 'node:fs';
import { cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { EXPERIMENTS, type Experiment, type ExperimentResult, experimentById, stepFraction } from '../../experiments/index.js';
import { makeE7 } from '../../experiments/e7.js';
import { loadFashionMnist } from '../../node/datasets.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { type CommandSpec, type Flags, type OptionSpec, UsageError } from '../args.js';
import { progress } from '../progress.js';

export const experimentHelp = `halfspace experiment e1|e2|e3|e4|e5|e6|e7|all --out DIR [--quick] [--seed S] [--dataset sdi|sdii] [--recipe grid|follow-up] [--json] [--quiet]

Runs the experiments of the paper (docs/experiments/protocols.md E1-E7) and writes, for each, DIR/<id>/report.md
(E6: DIR/e6-sdi or DIR/e6-sdii, with -follow-up for that recipe)
(what was run, the exact command, seed, machine, time, tables, figures), the SVG figures beside
it, and DIR/<id>/metrics.json with every number the report shows. --quick shrinks each
experiment to well under a minute; without it the full protocol runs (E6 and E7 take long).
--dataset picks E6's data (default sdi), --recipe its training: our beta x rate grid (default) or
the follow-up paper's authors' recipe (no biases, 10 batches per epoch, constant rate, up to
1500 epochs, best validation epoch). Progress goes to stderr: which configuration of how many
is training, its epoch, the time elapsed and an estimate of the time left (--quiet: none).
--json prints one object at the end: {"experiments": [{"id", "title", "dir", "report",
"metrics", "figures", "seconds"}]}.`;

/** The machine, for reports: CPU model, cores, memory, platform, Node version. */
export function machineLine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()}, Node ${process.version}`;
}

/** Writes one experiment's result under DIR/<id>/ and returns the report path. */
export function writeResult(
  out: string,
  r: ExperimentResult,
  header: { command: string; seed: number; quick: boolean; seconds: number; dir?: string },
): string {
  const dir = join(out, header.dir ?? r.id);
  mkdirSync(dir, { recursive: true });
  for (const f of r.figures) writeFileAtomic(join(dir, f.file), f.svg);
  const head = [
    `# ${r.id.toUpperCase()}: ${r.title}`,
    '',
    `- command: \`${header.command}\``,
    `- mode: ${header.quick ? 'quick (shrunk for the test suite; not the full protocol)' : 'full protocol'}`,
    `- seed: ${header.seed}`,
    `- machine: ${machineLine()}`,
    `- wall time: ${header.seconds.toFixed(1)} s`,
    '',
  ].join('\n');
  writeFileAtomic(join(dir, 'report.md'), `${head}\n${r.markdown.trim()}\n`);
  const metrics = { id: r.id, title: r.title, quick: header.quick, seed: header.seed, command: header.command, wallSeconds: header.seconds, ...r.metrics };
  writeFileAtomic(join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  return join(dir, 'report.md');
}

const EXPERIMENT_IDS = [...EXPERIMENTS.map((e) => e.id), 'all'];

const EXPERIMENT_OPTIONS: readonly OptionSpec[] = [
  { name: 'out', value: 'DIR', path: 'dir' },
  { name: 'quick' },
  { name: 'seed', value: 'S' },
  { name: 'dataset', value: 'NAME', choices: ['sdi', 'sdii'] },
  { name: 'recipe', value: 'NAME', choices: ['grid', 'follow-up'] },
  { name: 'json' },
  { name: 'quiet' },
];

async function experimentCommand(f: Flags, argv: readonly string[]): Promise<number> {
  const quick = f.has('quick');
  const seed = f.number('seed', 1, 'int');
  const dataset = f.choice('dataset', ['sdi', 'sdii'] as const, 'sdi');
  const recipe = f.choice('recipe', ['grid', 'follow-up'] as const, 'grid');
  const json = f.has('json');
  const quiet = f.has('quiet');
  const which = f.positionals;
  if (which.length === 0) throw new UsageError(`name one of ${EXPERIMENT_IDS.join(', ')}`);
  const out = f.required('out', 'DIR');
  // E7 reads Fashion-MNIST from disk: the browser-safe experiment gets the Node loader here
  const e7Node = makeE7((request) => loadFashionMnist(request));
  const list = (which.includes('all') ? EXPERIMENTS : which.map(experimentById)).map((e: Experiment) => (e.id === 'e7' ? e7Node : e));
  const command = `npx halfspace experiment ${argv.join(' ')}`;
  const done: { id: string; title: string; dir: string; report: string; metrics: string; figures: string[]; seconds: number }[] = [];
  for (const e of list) {
    const name = e.id.toUpperCase();
    const bar = progress(name, { quiet, json });
    bar.log(`[${e.id}] ${e.title}${quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    const result = await e.run({
      quick,
      seed,
      dataset,
      recipe,
      progress: (m) => bar.log(`[${e.id}] ${m}`),
      step: (s) => {
        const epoch = s.epochs === undefined ? '' : `, epoch ${s.epoch ?? 0}/${s.epochs}`;
        const fraction = stepFraction(s);
        bar.update(fraction * 1000, 1000, `${s.label} (${s.index}/${s.total})${epoch}${s.detail ? `, ${s.detail}` : ''}`);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    // E6 runs on one of two data sets: each gets its own folder (e6-sdi, e6-sdii)
    const dir = e.id === 'e6' ? `e6-${dataset}${recipe === 'grid' ? '' : `-${recipe}`}` : e.id;
    const path = writeResult(out, result, { command, seed, quick, seconds, dir });
    bar.done(`wrote ${path}`);
    done.push({ id: e.id, title: result.title, dir: join(out, dir), report: path, metrics: join(out, dir, 'metrics.json'), figures: result.figures.map((x) => join(out, dir, x.file)), seconds });
    if (!json) process.stdout.write(`${e.id}: wrote ${path} (${result.figures.length} figures, ${seconds.toFixed(1)} s)\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ experiments: done })}\n`);
  return 0;
}

export const experimentSpec: CommandSpec = {
  name: 'experiment',
  summary: "run the paper's experiments (E1-E7): reports, figures, metrics",
  help: experimentHelp,
  options: EXPERIMENT_OPTIONS,
  positionals: { name: 'experiment', choices: EXPERIMENT_IDS, count: 'many' },
  run: experimentCommand,
};
