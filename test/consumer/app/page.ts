// A page as a user would write it: trains a DLGN with fitAsync, saves and reloads it as text,
// draws its regions and loss curve with halfspace/viz, and times a 256 x 256 product.

import { DLGN, Network, Tensor, type EpochLog, fitAsync, matmulTensor, parseCheckpoint, serializeCheckpoint, xor } from 'halfspace';
import { gemmKernel, gemmKernelCounts } from 'halfspace/tensor';
import { lineChart, regionFigure } from 'halfspace/viz';

interface PageResult {
  accuracy: number;
  epochs: number;
  progressCalls: number;
  checkpointBytes: number;
  reloadedExact: boolean;
  fromJsonExact: boolean;
  badCheckpointError: string;
  svgBytes: number;
  gemmKernel: string;
  gemmGflops: number;
  gemmRuns: { wasm: number; javascript: number; timed: number };
}

declare global {
  interface Window {
    halfspaceResult?: PageResult;
  }
}

const status = document.getElementById('status')!;
const say = (s: string): void => {
  status.textContent = s;
};

async function main(): Promise<void> {
  const data = xor({ n: 400, seed: 1 });
  const net = new DLGN({ inputDim: 2, widths: [8, 8], outputDim: 2, beta: 8 }, { rng: 1 });
  const epochs: EpochLog[] = [];
  let progressCalls = 0;
  const history = await fitAsync(net, data, {
    loss: 'ce', epochs: 60, batchSize: 40, lr: 0.02, seed: 1,
    yieldEvery: { ms: 8 },
    onBatchEnd: () => void progressCalls++,
    onEpochEnd: (e) => {
      epochs.push(e);
      say(`training: epoch ${e.epoch + 1}, loss ${e.loss.toFixed(4)}`);
    },
  });
  const accuracy = history.epochs.at(-1)?.accuracy ?? 0;
  if (accuracy < 0.85) throw new Error(`the DLGN learned too little: accuracy ${accuracy}`);

  // save as a user would (localStorage), reload, compare outputs bit for bit
  const text = serializeCheckpoint(net, { seed: 1, data: 'xor', optimizer: { name: 'adam', lr: 0.02 } });
  localStorage.setItem('halfspace-net', text);
  const { model, meta } = parseCheckpoint(localStorage.getItem('halfspace-net')!, 'localStorage');
  if (meta.seed !== 1) throw new Error('metadata lost');
  const grid = Tensor.fromArray(Float64Array.from({ length: 2 * 21 * 21 }, (_, i) => ((i >> 1) % 21) / 10 - 1 + (i & 1 ? 0.05 * Math.floor(i / 42) - 0.5 : 0)), [21 * 21, 2]);
  const a = net.forward(grid).value.values();
  const b = model.forward(grid).value.values();
  const reloadedExact = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const c = Network.fromJSON(JSON.parse(JSON.stringify(net))).forward(grid).value.values();
  const fromJsonExact = a.every((v, i) => Object.is(v, c[i]));
  if (!reloadedExact || !fromJsonExact) throw new Error('the reloaded model computes something else');
  let badCheckpointError = '';
  try {
    parseCheckpoint('{"format": "halfspace-checkpoint", "version": 2}', 'upload.json');
  } catch (e) {
    badCheckpointError = (e as Error).message;
  }

  // figures
  const svg = regionFigure(model, { data, title: 'DLGN regions (reloaded)', width: 420, height: 380 });
  const curve = lineChart({ title: 'loss', xLabel: 'epoch', yLabel: 'loss', logY: true, width: 420, height: 300, series: [{ name: 'train', x: epochs.map((e) => e.epoch), y: epochs.map((e) => e.loss) }] });
  document.getElementById('regions')!.innerHTML = svg;
  document.getElementById('curve')!.innerHTML = curve;

  // GEMM 256: warm up, then time for ~0.4 s
  const n = 256;
  const A = Tensor.fromArray(Float64Array.from({ length: n * n }, (_, i) => Math.sin(i)), [n, n]);
  const B = Tensor.fromArray(Float64Array.from({ length: n * n }, (_, i) => Math.cos(i)), [n, n]);
  for (let i = 0; i < 5; i++) matmulTensor(A, B);
  const before = gemmKernelCounts();
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 400) {
    matmulTensor(A, B);
    reps++;
  }
  const gemmGflops = (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9;
  const after = gemmKernelCounts();
  const gemmRuns = { wasm: after.wasm - before.wasm, javascript: after.javascript - before.javascript, timed: reps };

  say(`trained ${history.epochs.length} epochs, accuracy ${(accuracy * 100).toFixed(1)}%; checkpoint ${text.length} bytes reloaded exactly; GEMM 256: ${gemmGflops.toFixed(2)} GFLOP/s (${gemmKernel()})`);
  window.halfspaceResult = {
    accuracy, epochs: history.epochs.length, progressCalls, checkpointBytes: text.length, reloadedExact, fromJsonExact,
    badCheckpointError, svgBytes: svg.length, gemmKernel: gemmKernel(), gemmGflops, gemmRuns,
  };
}

main().catch((e: unknown) => {
  say(`failed: ${String(e)}`);
  console.error(e);
});
