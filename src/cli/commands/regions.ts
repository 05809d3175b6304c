// `halfspace regions`: the gating lines and region map of a 2-D gated linear model, as an SVG figure.

import { readFileSync } from 'node:fs';
import { parseCsv } from '../../data/csv.js';
import { loadCheckpoint } from '../../node/checkpoint.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { type Box2D, arrangement2D } from '../../paths/regions.js';
import { regionFigure } from '../../viz/figures.js';
import { Flags, parseArgs } from '../args.js';

export const regionsHelp = `halfspace regions --checkpoint model.json --svg out.svg [--data FILE.csv] [--box xmin,xmax,ymin,ymax] [--color-by output|pattern] [--title TEXT]

Draws, for a model with 2-D input whose gates are half-spaces (dlgn, dlgn-sf, dlgn-vt), every
gating line with an arrow to its "on" side, the cells of their arrangement coloured by the
hard-gated output (or one colour per gate pattern), and the data points if given; a legend says
which layer each line belongs to. The box defaults to [-1, 1]^2, widened to hold the data.`;

function parseBox(values: number[] | undefined): Box2D | undefined {
  if (values === undefined) return undefined;
  const [xmin, xmax, ymin, ymax] = values;
  if (values.length !== 4 || !(xmin < xmax) || !(ymin < ymax)) {
    throw new Error(`regions: --box must be xmin,xmax,ymin,ymax with xmin < xmax and ymin < ymax, got ${values.join(',')}`);
  }
  return { xmin, xmax, ymin, ymax };
}

export async function regionsCommand(argv: string[]): Promise<number> {
  const f = new Flags(parseArgs(argv, ['help']), 'regions');
  const ckpt = f.string('checkpoint');
  const svgPath = f.string('svg');
  const dataPath = f.string('data');
  const label = f.string('label-column');
  const box = parseBox(f.numberList('box'));
  const colorBy = f.choice('color-by', ['output', 'pattern'] as const, 'output');
  const title = f.string('title');
  f.rejectUnknown();
  if (ckpt === undefined) throw new Error('regions: --checkpoint FILE is required');
  if (svgPath === undefined) throw new Error('regions: --svg OUT.svg is required');
  const { model, meta } = loadCheckpoint(ckpt);
  if (model.config.inputDim !== 2) {
    throw new Error(`regions: draws 2-D inputs only; this model takes ${model.config.inputDim} (use the paths command, or monteCarloVolume in the library)`);
  }
  let data;
  if (dataPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(dataPath, 'utf8');
    } catch {
      throw new Error(`regions: cannot read CSV file ${dataPath}`);
    }
    const trained = typeof meta.data === 'object' && meta.data !== null ? (meta.data as { label?: unknown }).label : undefined;
    const labelColumn = label ?? (typeof trained === 'string' ? trained : undefined);
    const csv = parseCsv(text, { source: dataPath, labelColumn: labelColumn !== undefined && /^\d+$/.test(labelColumn) ? Number(labelColumn) : labelColumn });
    if (csv.x.shape[1] !== 2) throw new Error(`regions: ${dataPath} has ${csv.x.shape[1]} feature columns, the model takes 2`);
    data = { x: csv.x, y: csv.y };
  }
  const svg = regionFigure(model, { box, data, colorBy, title });
  writeFileAtomic(svgPath, svg);
  const arr = arrangement2D(model, box);
  const b = arr.box;
  const drawn = arr.lines.filter((l) => l.segment !== null).length;
  process.stdout.write(
    `${arr.cells.length} regions and ${drawn} of ${arr.lines.length} gating lines in [${b.xmin}, ${b.xmax}] x [${b.ymin}, ${b.ymax}]; wrote ${svgPath}\n`,
  );
  return 0;
}
