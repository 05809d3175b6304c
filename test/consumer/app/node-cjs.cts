// A CommonJS consumer: the same imports compile to require() (require(esm), Node 20.19+).
import { createModel, parseCheckpoint, serializeCheckpoint } from 'halfspace';
import { saveCheckpoint } from 'halfspace/node';

const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 2 });
const back = parseCheckpoint(serializeCheckpoint(net)).model;
console.log(JSON.stringify({ kind: back.config.kind, save: typeof saveCheckpoint, module: typeof module }));
