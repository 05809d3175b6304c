// Symmetric eigenvalues for kernel matrices: Householder tridiagonalisation, then implicit QL.

import { shapeStr } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Sweeps of implicit QL allowed per eigenvalue before giving up (typically 1 to 3 are used). */
const MAX_QL_ITERATIONS = 60;

/**
 * The eigenvalues of a real symmetric matrix, sorted descending.
 *
 * The matrix is checked to be square, finite and symmetric (|a_ij - a_ji| <= 1e-9 * max(1, max |a|),
 * so a kernel J J^T that rounding made slightly asymmetric is accepted); its lower triangle is
 * what is used. Method (Golub & Van Loan 8.3; Numerical Recipes `tred2` + `tqli`, the EISPACK
 * `tred1`/`tql1` pair):
 *
 * 1. Householder reflections P_{n-1} .. P_1 reduce A to a tridiagonal T = Q^T A Q with the same
 *    spectrum, in (2/3) n^3 flops (eigenvectors are not accumulated).
 * 2. Implicitly shifted QL sweeps on T, with Wilkinson's shift taken from the top 2 x 2 block,
 *    deflate one eigenvalue at a time; an off-diagonal e_m counts as zero when
 *    |e_m| <= eps (|d_m| + |d_{m+1}|). Convergence is cubic, so each eigenvalue takes a few
 *    sweeps; not converging within 60 is reported as an error rather than returned silently.
 *
 * Both steps are backward stable: every computed eigenvalue is exact for some A + E with
 * ||E||_2 = O(eps ||A||_2).
 *
 * @example
 * ```ts
 * import { Tensor } from 'halfspace/tensor';
 * import { symmetricEigenvalues } from './linalg.js';
 * symmetricEigenvalues(Tensor.from([[2, 1], [1, 2]])); // Float64Array [3, 1]
 * ```
 */
export function symmetricEigenvalues(t: Tensor): Float64Array {
  if (t.ndim !== 2 || t.shape[0] !== t.shape[1]) {
    throw new Error(`symmetricEigenvalues: expected a square matrix [n, n], got ${shapeStr(t.shape)}`);
  }
  const n = t.shape[0];
  if (n === 0) return new Float64Array(0);
  const src = t.contiguous().values();
  let scale = 0;
  for (let k = 0; k < src.length; k++) {
    const v = src[k];
    if (!Number.isFinite(v)) {
      throw new Error(`symmetricEigenvalues: entry (${Math.floor(k / n)}, ${k % n}) is not finite (${v})`);
    }
    scale = Math.max(scale, Math.abs(v));
  }
  const tol = 1e-9 * Math.max(1, scale);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const gap = Math.abs(src[i * n + j] - src[j * n + i]);
      if (gap > tol) {
        throw new Error(
          `symmetricEigenvalues: matrix is not symmetric: a[${i}][${j}] = ${src[i * n + j]} but a[${j}][${i}] = ${src[j * n + i]}`,
        );
      }
    }
  }
  // work on a copy of the symmetrised matrix: a = (A + A^T) / 2
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (src[i * n + j] + src[j * n + i]);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(a, n, d, e);
  tridiagonalQL(d, e, n);
  return d.sort().reverse();
}

/**
 * Householder reduction of the symmetric `a` (row-major n x n, destroyed) to tridiagonal form:
 * on return `d` holds the diagonal and `e[1..n-1]` the subdiagonal (`e[0] = 0`).
 *
 * Step i (from the last row up) chooses u with P = I - u u^T / H zeroing a[i][0..i-2]:
 * u = row i left of the diagonal, with u[i-1] -= g, g = -sign(f) sqrt(sigma) (sigma = |row|^2,
 * f = a[i][i-1]; the sign avoids cancellation) and H = sigma - f g = |u|^2 / 2. Then
 * P A P = A - q u^T - u q^T with p = A u / H, K = u^T p / (2H), q = p - K u, applied to the
 * leading i x i block's lower triangle only. Rows are pre-scaled by their 1-norm so that
 * sigma cannot overflow or underflow.
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const ri = i * n;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[ri + k]);
      if (scale === 0) {
        // the row is already zero left of the diagonal: nothing to reflect
        e[i] = a[ri + l];
      } else {
        for (let k = 0; k <= l; k++) {
          a[ri + k] /= scale;
          h += a[ri + k] * a[ri + k];
        }
        let f = a[ri + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[ri + l] = f - g;
        // p = A u / H into e[0..l] (A's lower triangle read symmetrically), K accumulates u^T p
        f = 0;
        for (let j = 0; j <= l; j++) {
          g = 0;
          const rj = j * n;
          for (let k = 0; k <= j; k++) g += a[rj + k] * a[ri + k];
          for (let k = j + 1; k <= l; k++) g += a[k * n + j] * a[ri + k];
          e[j] = g / h;
          f += e[j] * a[ri + j];
        }
        const hh = f / (h + h);
        // q = p - K u; A <- A - q u^T - u q^T (lower triangle)
        for (let j = 0; j <= l; j++) {
          f = a[ri + j];
          g = e[j] - hh * f;
          e[j] = g;
          const rj = j * n;
          for (let k = 0; k <= j; k++) a[rj + k] -= f * e[k] + g * a[ri + k];
        }
      }
    } else {
      e[i] = a[ri + l];
    }
  }
  e[0] = 0;
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix with diagonal `d` and subdiagonal `e[1..n-1]`
 * by implicit QL with Wilkinson shifts; `d` is overwritten with them (unsorted).
 */
function tridiagonalQL(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      // find the first negligible off-diagonal at or below l: the block l..m is unreduced
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= eps * dd) break;
      }
      if (m !== l) {
        if (iter++ === MAX_QL_ITERATIONS) {
          throw new Error(`symmetricEigenvalues: QL iteration did not converge for eigenvalue ${l} of ${n} in ${MAX_QL_ITERATIONS} sweeps`);
        }
        // Wilkinson shift: the eigenvalue of the leading 2 x 2 block closer to d[l]
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        // chase the bulge up from m to l with plane rotations
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            // underflow: the block splits here; retry from the top
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}
