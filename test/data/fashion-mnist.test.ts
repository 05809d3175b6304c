// The fashion-mnist package's class files parsed from bytes, and the class-interleaved train/test assembly.

import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, assembleFashionMnist, parseFashionMnistClass } from '../../src/data/fashion-mnist.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A 784-value image whose pixels are (seed + k) mod 256. */
const image = (seed: number): number[] => Array.from({ length: 784 }, (_, k) => (seed + k) % 256);

describe('parseFashionMnistClass', () => {
  it('reads images byte for byte, skips empty rows, tolerates whitespace', () => {
    const text = `{"data":[[${image(1)}],[],\n [ ${image(2).join(' , ')} ] ,[${image(255)}],[]]}\n`;
    const p = parseFashionMnistClass(enc(text));
    expect(p.count).toBe(3);
    expect(p.emptyRows).toBe(2);
    expect(p.images.length).toBe(3 * 784);
    expect(Array.from(p.images.subarray(0, 784))).toEqual(image(1));
    expect(Array.from(p.images.subarray(784, 1568))).toEqual(image(2));
    expect(Array.from(p.images.subarray(1568))).toEqual(image(255));
  });

  it('grows past its initial buffer (more than 1024 images) and stops at maxImages', () => {
    const rows = Array.from({ length: 1100 }, (_, i) => `[${image(i)}]`);
    const p = parseFashionMnistClass(enc(`{"data":[${rows.join(',')}]}`));
    expect(p.count).toBe(1100);
    expect(p.images[1099 * 784 + 3]).toBe((1099 + 3) % 256);
    const q = parseFashionMnistClass(enc(`{"data":[${rows.join(',')}]}`), { maxImages: 5 });
    expect(q.count).toBe(5);
    expect(q.images.length).toBe(5 * 784);
  });

  it('errors name the source and the byte', () => {
    expect(() => parseFashionMnistClass(enc('[1, 2]'), { source: 'f.json' })).toThrow('f.json: expected a JSON object starting with {"data": [');
    expect(() => parseFashionMnistClass(enc('{"data":[[1,2,3]]}'), { source: 'f.json' })).toThrow('f.json: image 0 has 3 values, expected 784');
    expect(() => parseFashionMnistClass(enc(`{"data":[[${image(0)},7]]}`))).toThrow('image 0 has more than 784 values');
    expect(() => parseFashionMnistClass(enc(`{"data":[[${[...image(0).slice(0, 783), 256]}]]}`))).toThrow('pixel value 256 is above 255');
    expect(() => parseFashionMnistClass(enc('{"data":[[0.5]]}'), { source: 'f.json' })).toThrow("f.json: byte 11: expected ',' or ']', found '.'");
    expect(() => parseFashionMnistClass(enc(`{"data":[[${image(0)}]`))).toThrow("expected ',' or ']', found the end of the data");
  });
});

describe('assembleFashionMnist', () => {
  // 3 classes of 5 images: the first 2 of each class are test images
  const classes = [0, 1, 2].map((c) => {
    const out = new Uint8Array(5 * 784);
    for (let j = 0; j < 5; j++) out.fill(10 * c + j, j * 784, (j + 1) * 784);
    return out;
  });

  it('test = leading images of each class, train = the rest, rows interleaved by class, pixels / 255', () => {
    const d = assembleFashionMnist(classes, { testPerClass: 2, perClass: 5 });
    expect(d.test.x.shape).toEqual([6, 784]);
    expect(d.train.x.shape).toEqual([9, 784]);
    expect(Array.from(d.test.y.values())).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(d.train.y.values())).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    // row r: class r mod 3, image floor(r / 3) of that class's split
    expect(Array.from({ length: 6 }, (_, r) => d.test.x.get(r, 100) * 255)).toEqual([0, 10, 20, 1, 11, 21]);
    expect(Array.from({ length: 9 }, (_, r) => Math.round(d.train.x.get(r, 0) * 255))).toEqual([2, 12, 22, 3, 13, 23, 4, 14, 24]);
    expect(d.classNames).toBe(FASHION_MNIST_CLASSES);
  });

  it('limits keep a class-balanced prefix; too few images is an error', () => {
    const d = assembleFashionMnist(classes, { testPerClass: 2, perClass: 5, limitTrain: 4, limitTest: 100 });
    expect(Array.from(d.train.y.values())).toEqual([0, 1, 2, 0]);
    expect(d.test.x.shape).toEqual([6, 784]);
    expect(() => assembleFashionMnist(classes, { testPerClass: 2, perClass: 6 })).toThrow('fashion-mnist: class 0 has 5 images; this split needs image 5');
    expect(() => assembleFashionMnist(classes, { limitTrain: -1 })).toThrow('fashion-mnist: limitTrain must be a non-negative integer, got -1');
  });
});
