// `halfspace export`: a checkpoint as safetensors (for PyTorch) or ONNX (for any runtime).

import { archLabel } from '../../models/config.js';
import { loadCheckpoint } from '../../node/checkpoint.js';
import { type ExportFormat, exportModel } from '../../node/interop.js';
import { type CommandSpec, type Flags, UsageError } from '../args.js';

export const exportHelp = `halfspace export model.json --format safetensors|onnx --out FILE [--dtype f64|f32] [--gates] [--opset N]

Writes a checkpoint's model as
  safetensors   every parameter under halfspace's name (a PyTorch state dict: python/halfspace_torch.py
                load() rebuilds the nn.Module), the config in __metadata__; F64 by default, --dtype f32
  onnx          a graph with input x [batch, d] and output 'output' [batch, k]; float64 by default
                (--dtype f32 for float32), opset 13 (--opset N for later), --gates adds each layer's
                gate values as outputs 'gates.0', 'gates.1', ...
The format defaults to the extension of --out (.safetensors, .onnx). Files are written atomically.`;

async function exportCommand(f: Flags): Promise<number> {
  const parsed = { positionals: f.positionals };
  const outPath = f.string('out');
  const formatFlag = f.string('format');
  const dtype = f.choice('dtype', ['f64', 'f32'] as const, 'f64');
  const gates = f.has('gates');
  const opset = f.number('opset', 13, 'positive-int');
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one checkpoint model.json, got ${parsed.positionals.length} (see 'halfspace export --help')`);
  if (outPath === undefined) throw new UsageError('--out FILE is required');
  const ext = outPath.endsWith('.onnx') ? 'onnx' : outPath.endsWith('.safetensors') ? 'safetensors' : undefined;
  const format = (formatFlag ?? ext) as ExportFormat | undefined;
  if (format === undefined) throw new Error(`export: --format safetensors|onnx is required (the extension of '${outPath}' does not say)`);
  if (format !== 'safetensors' && format !== 'onnx') throw new Error(`export: --format must be one of safetensors, onnx, got '${format}'`);
  if (format === 'safetensors' && (gates || opset !== 13)) throw new Error('export: --gates and --opset apply to --format onnx only');
  const { model } = loadCheckpoint(parsed.positionals[0]);
  const bytes = exportModel(model, outPath, {
    format,
    dtype: dtype === 'f64' ? 'F64' : 'F32',
    onnx: { dtype: dtype === 'f64' ? 'float64' : 'float32', gates, opset },
  });
  const c = model.config;
  process.stdout.write(`exported ${c.kind} ${archLabel(c)} as ${format} (${dtype}) to ${outPath}: ${bytes} bytes\n`);
  return 0;
}

export const exportSpec: CommandSpec = {
  name: 'export',
  summary: 'a checkpoint as safetensors (for PyTorch) or ONNX',
  help: exportHelp,
  options: [
    { name: 'out', value: 'FILE', path: 'file' },
    { name: 'format', value: 'FORMAT', choices: ['safetensors', 'onnx'] },
    { name: 'dtype', value: 'DTYPE', choices: ['f64', 'f32'] },
    { name: 'gates' },
    { name: 'opset', value: 'N' },
  ],
  positionals: { name: 'checkpoint', path: 'file', count: 'one' },
  run: exportCommand,
};
