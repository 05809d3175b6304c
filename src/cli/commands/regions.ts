// `halfspace regions`: the gating lines and region map of a 2-D gated linear model, as an SVG figure.

import { hasHalfspaceGates } from '../../models/config.js';
import { readFileSync } from 'node:fs';
import { DEFAULT_MAX_CLASSES, parseCsv } from '../../data/csv.js';
import { loadCheckpoint } from '../../node/checkpoint.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { arrangement2D } from '../../paths/arrangement.js';
import type { Box2D } from '../../paths/polygon.js';
import { regionFigure } from '../../viz/model-figures.js';
import { type CommandSpec, type Flags, type OptionSpec, UsageError } from '../args.js';
import { progress } from '../progress.js';

/** Default cap on the gating lines drawn: 256 lines make ~13,000 regions in ~2.5 s. */
export const DEFAULT_MAX_LINES = 256;

export const regionsHelp = `halfspace regions --checkpoint model.json --svg out.svg [--data FILE.csv [--label-column NAME]] [--box xmin,xmax,ymin,ymax] [--color-by output|pattern] [--title TEXT] [--max-lines N] [--max-classes N] [--json] [--quiet]

Draws, for a model with 2-D input whose gates are half-spaces (dlgn, dlgn-sf, dlgn-vt), every
gating line with an arrow to its "on" side, the cells of their arrangement coloured by the
hard-gated output (or one colour per gate pattern), and the data points if given; a legend says
which layer each line belongs to. The box defaults to [-1, 1]^2, widened to hold the data.
Prints the counts of regions and lines (--json: {"regions", "lines", "linesInBox", "box", "svg"});
progress on stderr for big models, none with --quiet. A model of more than --max-lines gating
lines (default ${DEFAULT_MAX_LINES}) is refused before any work: the number of regions grows as
the square of the lines (512 lines: ~42,000 regions, ~16 s).`;

function parseBox(values: number[] | undefined): Box2D | undefined {
  if (values === undefined) return undefined;
  const [xmin, xmax, ymin, ymax] = values;
  if (values.length !== 4 || !(xmin < xmax) || !(ymin < ymax)) {
    throw new UsageError(`--box must be xmin,xmax,ymin,ymax with xmin < xmax and ymin < ymax, got ${values.join(',')}`);
  }
  return { xmin, xmax, ymin, ymax };
}

const REGIONS_OPTIONS: readonly OptionSpec[] = [
  { name: 'checkpoint', value: 'FILE', path: 'file' },
  { name: 'svg', value: 'OUT.svg', path: 'file' },
  { name: 'data', value: 'FILE.csv', path: 'file' },
  { name: 'label-column', value: 'NAME' },
  { name: 'box', value: 'XMIN,XMAX,YMIN,YMAX' },
  { name: 'color-by', value: 'KIND', choices: ['output', 'pattern'] },
  { name: 'title', value: 'TEXT' },
  { name: 'max-lines', value: 'N' },
  { name: 'max-classes', value: 'N' },
  { name: 'quiet' },
  { name: 'json' },
];

async function regionsCommand(f: Flags): Promise<number> {
  const ckpt = f.required('checkpoint', 'FILE');
  const svgPath = f.required('svg', 'OUT.svg');
  const dataPath = f.string('data');
  const label = f.string('label-column');
  const box = parseBox(f.numberList('box'));
  const colorBy = f.choice('color-by', ['output', 'pattern'] as const, 'output');
  const title = f.string('title');
  const quiet = f.has('quiet');
  const json = f.has('json');
  const maxLines = f.number('max-lines', DEFAULT_MAX_LINES, 'positive-int');
  const maxClasses = f.number('max-classes', DEFAULT_MAX_CLASSES, 'positive-int');
  const { model, meta } = loadCheckpoint(ckpt);
  const gatingLines = model.config.widths.reduce((a, m) => a + m, 0);
  if (gatingLines > maxLines && hasHalfspaceGates(model.config.kind)) {
    throw new Error(
      `${ckpt}: the model has ${gatingLines} gating lines, over the cap of ${maxLines} (regions grow as the square of the lines: ` +
        '512 lines make ~42,000 regions in ~16 s); raise --max-lines to draw it anyway',
    );
  }
  if (model.config.inputDim !== 2) {
    throw new Error(`draws 2-D inputs only; this model takes ${model.config.inputDim} (use the paths command, or monteCarloVolume in the library)`);
  }
  let data;
  if (dataPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(dataPath, 'utf8');
    } catch {
      throw new Error(`cannot read CSV file ${dataPath}`);
    }
    const trained = typeof meta.data === 'object' && meta.data !== null ? (meta.data as { label?: unknown }).label : undefined;
    const labelColumn = label ?? (typeof trained === 'string' ? trained : undefined);
    const csv = parseCsv(text, { source: dataPath, labelColumn: labelColumn !== undefined && /^\d+$/.test(labelColumn) ? Number(labelColumn) : labelColumn, maxClasses });
    if (csv.x.shape[1] !== 2) throw new Error(`${dataPath} has ${csv.x.shape[1]} feature columns, the model takes 2`);
    data = { x: csv.x, y: csv.y };
  }
  // two stages of comparable cost on a big model: the arrangement, then the figure (which
  // re-derives it with the data's box); the bar shows which one is running and for how long
  const bar = progress('regions', { quiet, json });
  const lines = model.config.widths.reduce((a, m) => a + m, 0);
  bar.update(0, 2, `cutting the box by ${lines} gating lines`);
  const arr = arrangement2D(model, box);
  bar.update(1, 2, `drawing ${arr.cells.length} regions`);
  const svg = regionFigure(model, { box, data, colorBy, title });
  writeFileAtomic(svgPath, svg);
  bar.update(2, 2, 'written');
  const b = arr.box;
  const drawn = arr.lines.filter((l) => l.segment !== null).length;
  bar.done(`${arr.cells.length} regions`);
  if (json) {
    const summary = { regions: arr.cells.length, lines: arr.lines.length, linesInBox: drawn, box: b, svg: svgPath };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  process.stdout.write(
    `${arr.cells.length} regions and ${drawn} of ${arr.lines.length} gating lines in [${b.xmin}, ${b.xmax}] x [${b.ymin}, ${b.ymax}]; wrote ${svgPath}\n`,
  );
  return 0;
}

export const regionsSpec: CommandSpec = {
  name: 'regions',
  summary: 'the gating lines and region map of a 2-D model, as an SVG figure',
  help: regionsHelp,
  options: REGIONS_OPTIONS,
  run: regionsCommand,
};
