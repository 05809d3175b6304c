// `halfspace experiment`: runs the paper's experiments (docs/experiments/protocols.md) and writes report.md, figures and metrics.json.

import { mkdirSync } from 'node:fs';
import { cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { EXPERIMENTS, type Experiment, type ExperimentResult, experimentById } from '../../experiments/index.js';
import { makeE7 } from '../../experiments/e7.js';
import { loadFashionMnist } from '../../node/datasets.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { Flags, parseArgs } from '../args.js';

export const experimentHelp = `halfspace experiment e1|e2|e3|e4|e5|e6|e7|all --out DIR [--quick] [--seed S] [--dataset sdi|sdii]

Runs the experiments of the paper (docs/experiments/protocols.md E1-E7) and writes, for each, DIR/<id>/report.md
(E6: DIR/e6-sdi or DIR/e6-sdii)
(what was run, the exact command, seed, machine, time, tables, figures), the SVG figures beside
it, and DIR/<id>/metrics.json with every number the report shows. --quick shrinks each
experiment to well under a minute; without it the full protocol runs (E6 and E7 take long).
--dataset picks E6's data (default sdi).`;

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

export async function experimentCommand(argv: string[]): Promise<number> {
  const f = new Flags(parseArgs(argv, ['quick', 'help']), 'experiment');
  const quick = f.has('quick');
  const seed = f.number('seed', 1, 'int');
  const out = f.string('out');
  const dataset = f.choice('dataset', ['sdi', 'sdii'] as const, 'sdi');
  f.rejectUnknown();
  const parsed = parseArgs(argv, ['quick', 'help']);
  const which = parsed.positionals;
  if (which.length === 0) throw new Error(`experiment: name one of ${EXPERIMENTS.map((e) => e.id).join(', ')} or all`);
  if (out === undefined) throw new Error('experiment: --out DIR is required');
  // E7 reads Fashion-MNIST from disk: the browser-safe experiment gets the Node loader here
  const e7Node = makeE7((request) => loadFashionMnist(request));
  const list = (which.includes('all') ? EXPERIMENTS : which.map(experimentById)).map((e: Experiment) => (e.id === 'e7' ? e7Node : e));
  const command = `npx halfspace experiment ${argv.join(' ')}`;
  for (const e of list) {
    process.stderr.write(`[${e.id}] ${e.title}${quick ? ' (quick)' : ''}\n`);
    const t0 = performance.now();
    const result = await e.run({ quick, seed, dataset, progress: (m) => process.stderr.write(`[${e.id}] ${m}\n`) });
    const seconds = (performance.now() - t0) / 1000;
    // E6 runs on one of two data sets: each gets its own folder (e6-sdi, e6-sdii)
    const path = writeResult(out, result, { command, seed, quick, seconds, dir: e.id === 'e6' ? `e6-${dataset}` : e.id });
    process.stdout.write(`${e.id}: wrote ${path} (${result.figures.length} figures, ${seconds.toFixed(1)} s)\n`);
  }
  return 0;
}
