// `halfspace tree`: an oblique decision tree read out of a trained DLGN's half-spaces, with its accuracy next to the model's.

import { readFileSync } from 'node:fs';
import { parseCsv } from '../../data/csv.js';
import { DATASETS_2D, type LabeledData, split } from '../../data/synthetic.js';
import { evaluate } from '../../models/train.js';
import { loadCheckpoint } from '../../node/checkpoint.js';
import { type TreeNode, extractTree, formatTree, treeAccuracy } from '../../paths/tree.js';
import { type CommandSpec, type Flags, type OptionSpec, UsageError, didYouMean } from '../args.js';

export const treeHelp = `halfspace tree --checkpoint model.json [--dataset NAME [--n N] [--noise P] | --data FILE.csv [--label-column NAME]] [--seed N] [--depth 4] [--eps 0.3] [--min-pts 2] [--min-samples 10] [--min-side 0.02] [--pick largest|discontinuity] [--labels data|model] [--json]

Reads an oblique decision tree out of a trained DLGN (dlgn, dlgn-sf, dlgn-vt): at each node the
gating hyperplanes that cut the node's training points are clustered (DBSCAN, sign-invariant
distance of the unit (w, b) vectors, radius --eps, core size --min-pts), and the centre of the
largest cluster is the split (docs/paths.md, "Decision trees"). Grown on the training split,
then the tree's accuracy is printed next to the model's on the training and test splits.

Data: a checkpoint written by \`halfspace train --dataset NAME\` regenerates its own data (the
same points and split); otherwise give --dataset (with --n, --noise, --seed as in train) or a
CSV with --data, split 60/20/20 by --seed (default: the checkpoint's seed). --labels model
grows the tree on the model's predictions instead of the labels. --pick discontinuity takes, at
each node, the cluster or lone hyperplane across which the model's class flips most often for
the node's points (mirrored across it) instead of the largest cluster: hyperplanes through the
origin cut every node, and the largest cluster is then the same at every node of a level.
--json prints one object.`;

const TREE_OPTIONS: readonly OptionSpec[] = [
  { name: 'checkpoint', value: 'FILE', path: 'file' },
  { name: 'dataset', value: 'NAME', choices: Object.keys(DATASETS_2D) },
  { name: 'data', value: 'FILE.csv', path: 'file' },
  { name: 'label-column', value: 'NAME' },
  { name: 'n', value: 'N' },
  { name: 'noise', value: 'P' },
  { name: 'seed', value: 'N' },
  { name: 'depth', value: 'D' },
  { name: 'eps', value: 'R' },
  { name: 'min-pts', value: 'K' },
  { name: 'min-samples', value: 'N' },
  { name: 'min-side', value: 'F' },
  { name: 'pick', value: 'RULE', choices: ['largest', 'discontinuity'] },
  { name: 'labels', value: 'FROM', choices: ['data', 'model'] },
  { name: 'json' },
];

interface Splits {
  train: LabeledData;
  test: LabeledData;
  source: string;
}

/** The data to grow and test the tree on: flags first, else what the checkpoint was trained on. */
function treeData(f: Flags, meta: Record<string, unknown>): Splits {
  const file = f.string('data');
  const flagged = f.string('dataset');
  if (file !== undefined && flagged !== undefined) throw new UsageError('give either --data FILE.csv or --dataset NAME, not both');
  const trained = typeof meta.data === 'object' && meta.data !== null ? (meta.data as Record<string, unknown>) : {};
  const metaSeed = typeof meta.seed === 'number' ? meta.seed : 0;
  const seed = f.number('seed', metaSeed, 'int');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`cannot read CSV file ${file}`);
    }
    const label = f.string('label-column') ?? (typeof trained.label === 'string' ? trained.label : undefined);
    const csv = parseCsv(text, { source: file, labelColumn: label !== undefined && /^\d+$/.test(label) ? Number(label) : label });
    if (!csv.classification) throw new Error(`${file}: the label column holds non-integer values; a decision tree needs class labels`);
    const s = split({ x: csv.x, y: csv.y }, [0.6, 0.2, 0.2], seed + 1);
    return { train: s.train, test: s.test, source: `${file} (60/20/20 split, seed ${seed})` };
  }
  const dataset = flagged ?? (typeof trained.dataset === 'string' ? trained.dataset : undefined);
  if (dataset === undefined) {
    throw new UsageError('give --data FILE.csv or --dataset NAME: the checkpoint does not name a built-in data set to regenerate');
  }
  if (!(dataset in DATASETS_2D)) throw new UsageError(`--dataset must be one of ${Object.keys(DATASETS_2D).join(', ')}, got '${dataset}'${didYouMean(dataset, Object.keys(DATASETS_2D))}`);
  const fromMeta = flagged === undefined;
  const n = f.number('n', fromMeta && typeof trained.n === 'number' ? trained.n : 2000, 'positive-int');
  const noise = f.number('noise', fromMeta && typeof trained.noise === 'number' ? trained.noise : 0, 'nonneg');
  const dataSeed = fromMeta && f.string('seed') === undefined && typeof trained.seed === 'number' ? trained.seed : seed;
  const s = split(DATASETS_2D[dataset as keyof typeof DATASETS_2D]({ n, noise, seed: dataSeed }), [0.6, 0.2, 0.2], dataSeed + 1);
  return { train: s.train, test: s.test, source: `${dataset} (n ${n}, noise ${noise}, seed ${dataSeed}, 60/20/20 split)${fromMeta ? ', as the checkpoint was trained' : ''}` };
}

/** The tree as plain JSON (typed arrays as lists). */
function nodeJson(node: TreeNode): unknown {
  if (node.kind === 'leaf') return node;
  return { ...node, weight: Array.from(node.weight), left: nodeJson(node.left), right: nodeJson(node.right) };
}

async function treeCommand(f: Flags): Promise<number> {
  const ckpt = f.required('checkpoint', 'FILE');
  const json = f.has('json');
  const depth = f.number('depth', 4, 'int');
  const eps = f.number('eps', 0.3, 'nonneg');
  const minPts = f.number('min-pts', 2, 'positive-int');
  const minSamples = f.number('min-samples', 10, 'positive-int');
  const minSide = f.number('min-side', 0.02, 'nonneg');
  const labels = f.choice('labels', ['data', 'model'] as const, 'data');
  const pick = f.choice('pick', ['largest', 'discontinuity'] as const, 'largest');
  const { model, meta } = loadCheckpoint(ckpt);
  if (!['dlgn', 'dlgn-vt'].includes(model.config.kind)) {
    throw new Error(`needs a model whose gates are half-spaces of the input (dlgn, dlgn-sf, dlgn-vt); ${ckpt} holds a ${model.config.kind} network`);
  }
  const data = treeData(f, meta as Record<string, unknown>);
  const d = model.config.inputDim;
  if (data.train.x.shape[1] !== d) throw new Error(`the data have ${data.train.x.shape[1]} features, the model takes ${d}`);
  const tree = extractTree(model, data.train, { depth, eps, minPts, minSamples, minSide, labels, pick });
  const accuracy = {
    tree: { train: treeAccuracy(tree, data.train), test: treeAccuracy(tree, data.test) },
    model: { train: evaluate(model, data.train, 'ce').accuracy as number, test: evaluate(model, data.test, 'ce').accuracy as number },
  };
  if (json) {
    const out = { data: data.source, depth: tree.depth, splits: tree.splits, leaves: tree.leaves, accuracy, root: nodeJson(tree.root) };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  process.stdout.write(
    `data: ${data.source}\n` +
      `tree: depth ${tree.depth}, ${tree.splits} splits, ${tree.leaves} leaves, grown on ${data.train.x.shape[0]} training points (labels from the ${labels})\n\n` +
      `${formatTree(tree)}\n\n` +
      `accuracy   train    test\n` +
      `tree       ${pct(accuracy.tree.train).padStart(6)}  ${pct(accuracy.tree.test).padStart(6)}\n` +
      `model      ${pct(accuracy.model.train).padStart(6)}  ${pct(accuracy.model.test).padStart(6)}\n`,
  );
  return 0;
}

export const treeSpec: CommandSpec = {
  name: 'tree',
  summary: "an oblique decision tree read out of a DLGN's half-spaces, with its accuracy",
  help: treeHelp,
  options: TREE_OPTIONS,
  run: treeCommand,
};
