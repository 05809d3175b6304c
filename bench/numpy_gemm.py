#!/usr/bin/python3
"""NumPy + OpenBLAS float64 GEMM timing for bench/matmul.bench.ts: the physical-limit proxy.

Usage: numpy_gemm.py N FORM SECONDS  (FORM: AB, AtB or ABt). Started by the bench with
OPENBLAS_NUM_THREADS=1 and without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set on these
machines, they slow OpenBLAS by ~40%). Warms up for a quarter of SECONDS, then times products
for SECONDS and prints {"medianMs", "samples", "numpy"} as one JSON line.
"""

import json
import statistics
import sys
import time

import numpy as np

n, form, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
rng = np.random.default_rng(n)
a = rng.random((n, n))
b = rng.random((n, n))
aa = a.T if form == 'AtB' else a
bb = b.T if form == 'ABt' else b
c = np.empty((n, n))


def once():
    t0 = time.perf_counter()
    np.matmul(aa, bb, out=c)
    return (time.perf_counter() - t0) * 1e3


end = time.perf_counter() + seconds / 4
while time.perf_counter() < end:
    once()
times = []
end = time.perf_counter() + seconds
while time.perf_counter() < end or len(times) < 5:
    times.append(once())
print(json.dumps({'medianMs': statistics.median(times), 'samples': len(times), 'numpy': np.__version__}))
