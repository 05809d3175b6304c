// CIFAR binary records parsed from bytes: exact pixels and labels, channel-major layout, length and label errors.

import { describe, expect, it } from 'vitest';
import { CIFAR_PIXELS, cifarRecordSize, concatLabeled, readCifarBinary } from '../../src/data/cifar.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Records with known contents: pixel k of record i is (7 i + 13 k) mod 256, labels given. */
function cifarBytes(labels: number[][]): Uint8Array {
  const head = labels[0].length;
  const size = head + CIFAR_PIXELS;
  const out = new Uint8Array(labels.length * size);
  labels.forEach((ls, i) => {
    ls.forEach((l, j) => (out[i * size + j] = l));
    for (let k = 0; k < CIFAR_PIXELS; k++) out[i * size + head + k] = (7 * i + 13 * k) % 256;
  });
  return out;
}

const pixel = (i: number, k: number): number => ((7 * i + 13 * k) % 256) / 255;

describe('readCifarBinary', () => {
  it('record sizes: 3073 (CIFAR-10), 3074 (CIFAR-100)', () => {
    expect(cifarRecordSize('cifar10')).toBe(3073);
    expect(cifarRecordSize('cifar100')).toBe(3074);
  });

  it('CIFAR-10: labels and every pixel exactly, scaled to [0, 1], channel-major', () => {
    const d = readCifarBinary(cifarBytes([[3], [0], [9]]), { variant: 'cifar10' });
    expect(d.x.shape).toEqual([3, 3072]);
    expect(Array.from(d.y.values())).toEqual([3, 0, 9]);
    expect(d.numClasses).toBe(10);
    for (let i = 0; i < 3; i++) for (let k = 0; k < CIFAR_PIXELS; k++) if (d.x.get(i, k) !== pixel(i, k)) throw new Error(`x[${i}, ${k}]`);
    // NCHW view: channel c, row r, column col is byte c * 1024 + r * 32 + col of the record
    const img = d.x.reshape([3, 3, 32, 32]);
    expect(img.get(2, 1, 5, 7)).toBe(pixel(2, 1024 + 5 * 32 + 7));
    expect(img.get(0, 2, 31, 31)).toBe(pixel(0, 3071));
  });

  it('CIFAR-100: fine labels by default, coarse on request', () => {
    const bytes = cifarBytes([
      [4, 77],
      [19, 0],
    ]);
    const fine = readCifarBinary(bytes, { variant: 'cifar100' });
    expect(Array.from(fine.y.values())).toEqual([77, 0]);
    expect(fine.numClasses).toBe(100);
    const coarse = readCifarBinary(bytes, { variant: 'cifar100', label: 'coarse' });
    expect(Array.from(coarse.y.values())).toEqual([4, 19]);
    expect(coarse.numClasses).toBe(20);
    expect(coarse.x.get(1, 100)).toBe(pixel(1, 100));
  });

  it('limit reads the first records only', () => {
    const d = readCifarBinary(cifarBytes([[1], [2], [3]]), { variant: 'cifar10', limit: 2 });
    expect(Array.from(d.y.values())).toEqual([1, 2]);
  });

  it('a truncated buffer is an error that gives the record size and the remainder', () => {
    const bytes = cifarBytes([[1], [2], [3]]).subarray(0, 3 * 3073 - 5);
    expect(() => readCifarBinary(bytes, { variant: 'cifar10', source: 'batch.bin' })).toThrow(
      'batch.bin: 9214 bytes is not a whole number of cifar10 records of 3073 bytes (1 label byte + 3072 pixel bytes): 2 records and 3068 bytes left over',
    );
    // CIFAR-100 bytes read as CIFAR-10 do not fit either
    expect(() => readCifarBinary(cifarBytes([[1, 2]]), { variant: 'cifar10' })).toThrow('3074 bytes is not a whole number of cifar10 records of 3073 bytes');
    expect(() => readCifarBinary(new Uint8Array(0), { variant: 'cifar100' })).toThrow('readCifarBinary: empty cifar100 data, expected records of 3074 bytes');
  });

  it('labels out of range and bad options are errors', () => {
    expect(() => readCifarBinary(cifarBytes([[1], [10]]), { variant: 'cifar10' })).toThrow('readCifarBinary: record 1 has label 10, expected 0..9');
    expect(() => readCifarBinary(cifarBytes([[20, 5]]), { variant: 'cifar100', label: 'coarse' })).toThrow('record 0 has coarse label 20, expected 0..19');
    expect(() => readCifarBinary(cifarBytes([[1]]), { variant: 'cifar10', label: 'coarse' })).toThrow("CIFAR-10 has a single label; label 'coarse' applies to CIFAR-100 only");
    expect(() => readCifarBinary(cifarBytes([[1]]), { variant: 'cifar1000' as 'cifar10' })).toThrow("variant must be 'cifar10' or 'cifar100', got 'cifar1000'");
  });
});

describe('concatLabeled', () => {
  it('stacks rows in order and checks widths', () => {
    const a = { x: Tensor.from([[1, 2]]), y: Tensor.from([0]) };
    const b = { x: Tensor.from([[3, 4], [5, 6]]), y: Tensor.from([1, 2]) };
    const c = concatLabeled([a, b]);
    expect(c.x.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(c.y.toArray()).toEqual([0, 1, 2]);
    expect(() => concatLabeled([a, { x: Tensor.zeros([1, 3]), y: Tensor.zeros([1]) }])).toThrow('concatLabeled: expected x of shape [n, 2], got [1, 3]');
    expect(() => concatLabeled([])).toThrow('concatLabeled: nothing to concatenate');
  });
});
