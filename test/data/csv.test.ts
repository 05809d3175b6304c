// CSV loading: header detection, quoting, label columns, task detection, errors naming line and column.

import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../src/data/csv.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

describe('parseCsv: headers and layout', () => {
  it('a first row with a non-numeric cell is a header; the label is the last column by default', () => {
    const d = parseCsv('x1,x2,label\n0.1,0.2,1\n-0.3,0.5,0\n');
    expect(d.x.shape).toEqual([2, 2]);
    expect(d.x.toArray()).toEqual([
      [0.1, 0.2],
      [-0.3, 0.5],
    ]);
    expect(d.y.shape).toEqual([2]);
    expect(d.y.toArray()).toEqual([1, 0]);
    expect(d.featureNames).toEqual(['x1', 'x2']);
    expect(d.labelName).toBe('label');
    expect(d.classification).toBe(true);
    expect(d.numClasses).toBe(2);
  });

  it('without a header every row is data, and columns are named c0, c1, ...', () => {
    const d = parseCsv('1,2,0\n3,4,2\n5,6,1\n');
    expect(d.x.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(d.featureNames).toEqual(['c0', 'c1']);
    expect(d.labelName).toBe('c2');
    expect(d.numClasses).toBe(3);
  });

  it('header: true / false override the detection', () => {
    const forced = parseCsv('1,2,3\n4,5,0\n', { header: true });
    expect(forced.featureNames).toEqual(['1', '2']);
    expect(forced.x.shape).toEqual([1, 2]);
    expect(() => parseCsv('a,b\n1,0\n', { header: false, source: 'h.csv' })).toThrow("h.csv: line 1, column 1 (c0): 'a' is not a finite number");
  });

  it('quoted cells: commas and doubled quotes inside, quotes around numbers, spaces trimmed', () => {
    const d = parseCsv('"width, cm","say ""hi""",label\n"1.5", 2 ,"0"\n3,"-4e-1",1\n');
    expect(d.featureNames).toEqual(['width, cm', 'say "hi"']);
    expect(d.x.toArray()).toEqual([
      [1.5, 2],
      [3, -0.4],
    ]);
    expect(d.y.toArray()).toEqual([0, 1]);
  });

  it('CRLF line ends, blank lines and # comments are skipped (line numbers still count them)', () => {
    const text = '# a comment\r\nx,y\r\n\r\n1,0\r\n  # another\r\n2,abc\r\n';
    expect(() => parseCsv(text, { source: 'c.csv' })).toThrow("c.csv: line 6, column 2 (y): 'abc' is not a finite number");
    const ok = parseCsv('# c\r\nx,y\r\n\r\n1,0\r\n2,1\r\n');
    expect(ok.x.toArray()).toEqual([[1], [2]]);
    expect(ok.y.toArray()).toEqual([0, 1]);
  });
});

describe('parseCsv: label column', () => {
  const text = 'a,label,b\n1,0,2\n3,1,4\n5,1,6\n';

  it('by header name', () => {
    const d = parseCsv(text, { labelColumn: 'label' });
    expect(d.featureNames).toEqual(['a', 'b']);
    expect(d.x.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(d.y.toArray()).toEqual([0, 1, 1]);
  });

  it('by zero-based index', () => {
    const d = parseCsv(text, { labelColumn: 1 });
    expect(d.labelName).toBe('label');
    expect(d.y.toArray()).toEqual([0, 1, 1]);
    const first = parseCsv('0,0.5,0.25\n1,0.75,1\n', { labelColumn: 0 });
    expect(first.y.toArray()).toEqual([0, 1]);
    expect(first.x.toArray()).toEqual([
      [0.5, 0.25],
      [0.75, 1],
    ]);
  });

  it('an unknown name lists the columns; an index out of range says how many there are', () => {
    expect(() => parseCsv(text, { labelColumn: 'target', source: 'd.csv' })).toThrow("d.csv: no column named 'target' (columns: a, label, b)");
    expect(() => parseCsv(text, { labelColumn: 3, source: 'd.csv' })).toThrow('d.csv: label column 3 is out of range (the file has 3 columns)');
    expect(() => parseCsv(text, { labelColumn: -1, source: 'd.csv' })).toThrow('label column -1 is out of range');
  });
});

describe('parseCsv: classification or regression', () => {
  it('integer labels >= 0 are classes: y [n], numClasses = max + 1', () => {
    const d = parseCsv('x,y\n0.1,0\n0.2,4\n0.3,2\n');
    expect(d.classification).toBe(true);
    expect(d.numClasses).toBe(5);
    expect(d.y.shape).toEqual([3]);
  });

  it('a fractional or negative label makes it regression: y [n, 1], numClasses 0', () => {
    const frac = parseCsv('x,y\n0.1,0\n0.2,1.5\n');
    expect(frac.classification).toBe(false);
    expect(frac.numClasses).toBe(0);
    expect(frac.y.shape).toEqual([2, 1]);
    expect(frac.y.toArray()).toEqual([[0], [1.5]]);
    const neg = parseCsv('x,y\n0.1,-1\n0.2,1\n');
    expect(neg.classification).toBe(false);
    expect(neg.y.shape).toEqual([2, 1]);
  });
});

describe('parseCsv: errors', () => {
  it('a ragged row names its line and both counts', () => {
    expect(() => parseCsv('a,b,c\n1,2,3\n4,5\n', { source: 'r.csv' })).toThrow('r.csv: line 3 has 2 columns, expected 3');
    expect(() => parseCsv('1,2\n3,4,5\n')).toThrow('csv: line 2 has 3 columns, expected 2');
  });

  it('a non-numeric cell names the line, the column (1-based) and its name', () => {
    expect(() => parseCsv('x0,x1,label\n1,2,0\n3,4,1\n5,abc,0\n', { source: 'bad.csv' })).toThrow(
      "bad.csv: line 4, column 2 (x1): 'abc' is not a finite number",
    );
    expect(() => parseCsv('x0,label\n1,\n', { source: 'e.csv' })).toThrow("e.csv: line 2, column 2 (label): '' is not a finite number");
    expect(() => parseCsv('x0,label\nInfinity,1\n')).toThrow("line 2, column 1 (x0): 'Infinity' is not a finite number");
  });

  it('empty input, a header alone, a single column', () => {
    expect(() => parseCsv('', { source: 'empty.csv' })).toThrow('empty.csv: no data rows');
    expect(() => parseCsv('\n\n# only a comment\n')).toThrow('csv: no data rows');
    expect(() => parseCsv('a,b\n')).toThrow('csv: a header but no data rows');
    expect(() => parseCsv('1\n2\n')).toThrow('csv: need at least one feature column and a label column, found 1 column(s)');
  });
});

describe('toCsv', () => {
  it('writes a header x0..x{d-1},label and round-trips through parseCsv exactly', () => {
    const rng = new Rng(3);
    const n = 50;
    const x = new Tensor(rng.normalArray(n * 3), [n, 3]);
    const y = new Tensor(Float64Array.from({ length: n }, () => rng.integer(0, 4)), [n]);
    const text = toCsv(x, y);
    expect(text.split('\n')[0]).toBe('x0,x1,x2,label');
    expect(text.endsWith('\n')).toBe(true);
    const back = parseCsv(text);
    expect(back.featureNames).toEqual(['x0', 'x1', 'x2']);
    expect(back.labelName).toBe('label');
    expect(Array.from(back.x.values())).toEqual(Array.from(x.values()));
    expect(Array.from(back.y.values())).toEqual(Array.from(y.values()));
    expect(back.classification).toBe(true);
  });

  it('custom feature names and regression targets round-trip too', () => {
    const x = Tensor.from([
      [0.1, 1e-300],
      [-2.5, 123456789.125],
    ]);
    const y = Tensor.from([[0.3], [-1.75]]);
    const back = parseCsv(toCsv(x, y, ['alpha', 'beta']));
    expect(back.featureNames).toEqual(['alpha', 'beta']);
    expect(back.x.toArray()).toEqual(x.toArray());
    expect(back.y.toArray()).toEqual(y.toArray());
    expect(back.classification).toBe(false);
  });
});
