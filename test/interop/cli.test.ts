// `halfspace import` and `halfspace export`, run as a user runs them, on the committed PyTorch files.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/node/checkpoint.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { exportModel, importSafetensorsFile, readSafetensorsFile } from '../../src/node/interop.js';
import { Tensor } from '../../src/tensor/tensor.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'halfspace.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'safetensors');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface RawTensor {
  shape: number[];
  data: number[];
}
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as {
  cases: { file: string; x: RawTensor; output: RawTensor }[];
};
const caseOf = (file: string) => expected.cases.find((c) => c.file === file)!;
const tensorOf = (t: RawTensor): Tensor => Tensor.fromArray(Float64Array.from(t.data), t.shape);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-interop-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('halfspace import / export', () => {
  it('imports a PyTorch file into a checkpoint that computes what PyTorch computed', () => {
    const out = path.join(tmp, 'dlgn.json');
    const r = cli('import', path.join(FIXTURES, 'dlgn-cf.safetensors'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^imported dlgn 2-\[4,3,3\]-1 \(\d+ parameters, stored as F64\) from .*dlgn-cf\.safetensors into .*dlgn\.json\n$/);
    const c = caseOf('dlgn-cf.safetensors');
    const { model, meta } = loadCheckpoint(out);
    expect(maxDiff(model.forward(tensorOf(c.x)).value.values(), c.output.data)).toBeLessThan(1e-12);
    expect(meta.data).toEqual({ imported: 'dlgn-cf.safetensors' });
    // the checkpoint feeds the other commands
    const paths = cli('paths', '--checkpoint', out, '--x', '0.3,-0.2', '--top', '3');
    expect(paths.status).toBe(0);
    expect(paths.stdout).toMatch(/decomposition check/);
  });

  it('exports safetensors and ONNX that agree with the checkpoint', async () => {
    const ckpt = path.join(tmp, 'vt.json');
    expect(cli('import', path.join(FIXTURES, 'dlgn-vt.safetensors'), '--out', ckpt).status).toBe(0);
    const { model } = loadCheckpoint(ckpt);
    const st = path.join(tmp, 'vt.safetensors');
    const r1 = cli('export', ckpt, '--format', 'safetensors', '--out', st);
    expect(r1.status).toBe(0);
    expect(r1.stdout).toMatch(/^exported dlgn-vt 2-\[3,4,2\]-2 as safetensors \(f64\) to .*: \d+ bytes\n$/);
    // the bytes are the PyTorch module's (same layout, names, config) up to header formatting
    const ours = readSafetensorsFile(st);
    const theirs = readSafetensorsFile(path.join(FIXTURES, 'dlgn-vt.safetensors'));
    expect(ours.tensors.map((t) => t.name)).toEqual(theirs.tensors.map((t) => t.name));
    ours.tensors.forEach((t, i) => expect(Array.from(t.tensor.values())).toEqual(Array.from(theirs.tensors[i].tensor.values())));
    expect(JSON.parse(ours.metadata.config)).toEqual(JSON.parse(theirs.metadata.config));

    const onnxPath = path.join(tmp, 'vt.onnx');
    const r2 = cli('export', ckpt, '--out', onnxPath, '--gates');
    expect(r2.status).toBe(0);
    const session = await ort.InferenceSession.create(fs.readFileSync(onnxPath));
    const c = caseOf('dlgn-vt.safetensors');
    const x = tensorOf(c.x);
    const res = await session.run({ x: new ort.Tensor('float64', Float64Array.from(x.values()), [...x.shape]) });
    expect(maxDiff(res.output.data as Float64Array, c.output.data)).toBeLessThan(1e-9);
    expect(session.outputNames).toEqual(['output', 'gates.0', 'gates.1', 'gates.2']);

    const r3 = cli('export', ckpt, '--out', path.join(tmp, 'vt32.safetensors'), '--dtype', 'f32');
    expect(r3.status).toBe(0);
    expect(readSafetensorsFile(path.join(tmp, 'vt32.safetensors')).tensors.every((t) => t.dtype === 'F32')).toBe(true);
    expect(model.numParameters()).toBeGreaterThan(0);
  });

  it('takes a config and a rename map for a foreign state dict, strict by default', () => {
    // a state dict as another codebase names it, with no metadata
    const src = readSafetensorsFile(path.join(FIXTURES, 'dln.safetensors'));
    const foreign = src.tensors.map((t) => [t.name.replace('layers.', 'net.fc').replace('out.', 'head.'), t.tensor] as [string, Tensor]);
    const file = path.join(tmp, 'foreign.safetensors');
    fs.writeFileSync(file, serializeSafetensors([...foreign, ['num_batches', Tensor.zeros([1])]]));
    const config = path.join(tmp, 'config.json');
    fs.writeFileSync(config, src.metadata.config);
    const out = path.join(tmp, 'foreign.json');

    const noConfig = cli('import', file, '--out', out);
    expect(noConfig.status).toBe(1);
    expect(noConfig.stderr).toMatch(/^halfspace import: import .*foreign\.safetensors: no model config: .*--config config\.json/);

    const noRename = cli('import', file, '--out', out, '--config', config);
    expect(noRename.status).toBe(1);
    expect(noRename.stderr).toMatch(/missing 'layers\.0\.weight', .*; unexpected 'net\.fc0\.weight', .*'num_batches'/);
    expect(fs.existsSync(out)).toBe(false);

    const map = path.join(tmp, 'map.json');
    fs.writeFileSync(map, JSON.stringify({ 'net.fc': 'layers.', 'head.': 'out.' }));
    // prefixes must end in '.', so 'net.fc' is an exact name and matches nothing
    expect(cli('import', file, '--out', out, '--config', config, '--rename', map).status).toBe(1);
    fs.writeFileSync(map, JSON.stringify({ 'net.fc0.weight': 'layers.0.weight', 'net.fc0.bias': 'layers.0.bias', 'net.fc1.weight': 'layers.1.weight', 'net.fc1.bias': 'layers.1.bias', 'head.': 'out.' }));
    const strict = cli('import', file, '--out', out, '--config', config, '--rename', map);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/unexpected 'num_batches'/);
    const loose = cli('import', file, '--out', out, '--config', config, '--rename', map, '--non-strict');
    expect(loose.status).toBe(0);
    expect(loose.stdout).toMatch(/unexpected \(ignored\): num_batches/);
    const c = caseOf('dln.safetensors');
    expect(maxDiff(loadCheckpoint(out).model.forward(tensorOf(c.x)).value.values(), c.output.data)).toBeLessThan(1e-12);
    // a checkpoint serves as --config too (its config is taken)
    const again = path.join(tmp, 'foreign2.json');
    expect(cli('import', file, '--out', again, '--config', out, '--rename', map, '--non-strict', '--json').status).toBe(0);
    expect(loadCheckpoint(again).config).toEqual(loadCheckpoint(out).config);
  });

  it('refuses bad input with one-line errors and leaves no file behind', () => {
    const bad = path.join(tmp, 'bad.safetensors');
    const good = fs.readFileSync(path.join(FIXTURES, 'dnn.safetensors'));
    fs.writeFileSync(bad, good.subarray(0, good.length - 3));
    const out = path.join(tmp, 'never.json');
    const r = cli('import', bad, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^halfspace import: safetensors .*bad\.safetensors: tensor 'out\.weight' ends at data offset \d+, past the end of the data/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
    expect(cli('import', path.join(tmp, 'nope.safetensors'), '--out', out).stderr).toMatch(/nope\.safetensors: no such file/);
    expect(cli('import', bad).stderr).toMatch(/--out model\.json is required/);
    expect(cli('export', path.join(tmp, 'x.json'), '--out', 'x.bin').stderr).toMatch(/--format safetensors\|onnx is required/);
    expect(cli('export', path.join(tmp, 'x.json'), '--out', 'x.onnx', '--format', 'tflite').stderr).toMatch(/--format must be one of safetensors, onnx, got 'tflite'/);
    expect(cli('import', '--help').stdout).toMatch(/--non-strict/);
    expect(cli('help').stdout).toMatch(/import +a safetensors state dict/);
  });

  it('library functions: importSafetensorsFile, exportModel (atomic)', () => {
    const { model } = importSafetensorsFile(path.join(FIXTURES, 'dgn.safetensors'));
    const file = path.join(tmp, 'dgn-out.safetensors');
    const n = exportModel(model, file, { format: 'safetensors' });
    expect(fs.statSync(file).size).toBe(n);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(parseSafetensors(new Uint8Array(fs.readFileSync(file))).tensors).toHaveLength(model.namedParameters().length);
    expect(() => exportModel(model, path.join(tmp, 'no-such-dir', 'x.onnx'), { format: 'onnx' })).toThrow(/directory .* does not exist/);
  });
});
