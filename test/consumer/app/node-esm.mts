// A Node ESM consumer: the root entry and halfspace/node, type-checked strictly and run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, fit, xor, type History } from 'halfspace';
import { loadCheckpoint, saveCheckpoint } from 'halfspace/node';
import { regionFigure } from 'halfspace/viz';

const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 2 }, { rng: 1 });
const h: History = fit(net, xor({ n: 100, seed: 1 }), { loss: 'ce', epochs: 3 });
const file = join(mkdtempSync(join(tmpdir(), 'halfspace-consumer-')), 'net.json');
saveCheckpoint(file, net, { seed: 1 });
const { model } = loadCheckpoint(file);
console.log(JSON.stringify({ kind: model.config.kind, epochs: h.epochs.length, svg: regionFigure(model).startsWith('<svg') }));
