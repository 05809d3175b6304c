// `halfspace import`: a safetensors state dict (from PyTorch, say) as a halfspace checkpoint.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { saveCheckpoint } from '../../node/checkpoint.js';
import { type ModelConfig, archLabel } from '../../models/config.js';
import { importSafetensorsFile } from '../../node/interop.js';
import { clip } from '../../tensor/errors.js';
import { type CommandSpec, type Flags, UsageError } from '../args.js';

export const importHelp = `halfspace import FILE.safetensors --out model.json [--config config.json] [--rename map.json] [--non-strict] [--json]

Builds a halfspace model from a safetensors file and writes it as a checkpoint (model.json) that
every other command reads (paths, regions, eval, export). Tensors may be F64, F32, F16 or BF16;
they are converted to float64.

  --config FILE   the model config {kind, inputDim, widths, outputDim, bias, features, gate, beta,
                  valueInput}, or a checkpoint whose config to use; default: the 'config' entry
                  of the file's __metadata__ (python/halfspace_torch.py writes it)
  --rename FILE   a JSON map from the file's names to halfspace's: {"fc1.weight": "layers.0.weight"};
                  a key ending in '.' renames a prefix ({"module.": ""} strips DDP's)
  --non-strict    as load_state_dict(strict=False): load what matches, keep missing parameters at
                  their initial values, ignore unexpected tensors (both are listed); shapes must
                  still match. Default: strict, refusing and listing missing and unexpected names.
  --max-parameters N  refuse a config of more than N parameters before building it (default
                  67108864 = 2^26, 512 MiB of float64)
  --json          print the summary as JSON`;

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`import: cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`import: ${what} ${path} is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function configFrom(path: string): ModelConfig {
  const doc = readJson(path, '--config');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`import: --config ${path} must hold a JSON object`);
  const o = doc as Record<string, unknown>;
  // a checkpoint (or a fixture case) carries its config one level down
  if (o.format === 'halfspace-checkpoint' && typeof o.config === 'object') return o.config as ModelConfig;
  return o as unknown as ModelConfig;
}

function renameFrom(path: string): Record<string, string> {
  const doc = readJson(path, '--rename');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`import: --rename ${path} must hold a JSON object of names`);
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== 'string') throw new Error(`import: --rename ${path}: '${k}' must map to a string, got ${clip(v)}`);
  }
  return doc as Record<string, string>;
}

async function importCommand(f: Flags): Promise<number> {
  const parsed = { positionals: f.positionals };
  const out = f.string('out');
  const configPath = f.string('config');
  const renamePath = f.string('rename');
  const strict = !f.has('non-strict');
  const json = f.has('json');
  const maxParameters = f.number('max-parameters', 2 ** 26, 'positive-int');
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one FILE.safetensors, got ${parsed.positionals.length} (see 'halfspace import --help')`);
  if (out === undefined) throw new UsageError('--out model.json is required');
  const file = parsed.positionals[0];
  const result = importSafetensorsFile(file, {
    config: configPath === undefined ? undefined : configFrom(configPath),
    rename: renamePath === undefined ? undefined : renameFrom(renamePath),
    strict,
    maxParameters,
  });
  const { model, config, missing, unexpected, dtypes } = result;
  const stored = [...new Set(Object.values(dtypes))].sort();
  saveCheckpoint(out, model, {
    data: { imported: basename(file) },
    import: { dtypes: stored, missing, unexpected, strict },
  });
  const arch = `${config.kind} ${archLabel(config)}`;
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, out, config, parameters: model.numParameters(), dtypes: stored, missing, unexpected }, null, 2)}\n`);
    return 0;
  }
  const lines = [`imported ${arch} (${model.numParameters()} parameters, stored as ${stored.join('/') || 'nothing'}) from ${file} into ${out}`];
  if (missing.length > 0) lines.push(`missing (kept at initial values): ${missing.join(', ')}`);
  if (unexpected.length > 0) lines.push(`unexpected (ignored): ${unexpected.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const importSpec: CommandSpec = {
  name: 'import',
  summary: 'a safetensors state dict (from PyTorch: python/halfspace_torch.py) as a checkpoint',
  help: importHelp,
  options: [
    { name: 'out', value: 'FILE', path: 'file' },
    { name: 'config', value: 'FILE', path: 'file' },
    { name: 'rename', value: 'FILE', path: 'file' },
    { name: 'non-strict' },
    { name: 'max-parameters', value: 'N' },
    { name: 'json' },
  ],
  positionals: { name: 'file', path: 'file', count: 'one' },
  run: importCommand,
};
