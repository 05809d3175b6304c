#!/usr/bin/python3
"""PyTorch (CPU, float64, one thread) reference for bench/step.bench.ts: one JSON request per line.

Started by the bench with /usr/bin/python3 (Debian's python3-torch, OpenBLAS from
libopenblas0-pthread) and an environment without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
(see bench/machines.md). Prints one hello line, then answers each request line

    {"spec": {"family", "inputDim", "widths", "classes", "batch", "beta"},
     "params": {name: {"shape", "data"}}, "x": [...], "labels": [...], "steps": N, "warmup": W}

with {"medianMs", "samples", "loss0"}: the median wall time of one training step
(zero_grad, forward, cross-entropy, backward, Adam step) over N timed steps after W warm-up steps.
The model is the same network as the TypeScript engine's, with the same initial parameters.
"""

import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def blas_name():
    try:
        target = os.path.realpath('/etc/alternatives/libblas.so.3-x86_64-linux-gnu')
        return os.path.basename(os.path.dirname(target)) or target
    except OSError:
        return 'unknown BLAS'


def build(spec, params):
    p = {k: torch.tensor(v['data'], dtype=torch.float64).reshape(v['shape']).requires_grad_() for k, v in params.items()}
    family = spec['family']
    L = len(spec['widths'])
    beta = float(spec['beta'])

    def forward(x, ones):
        if family in ('relu', 'linear'):
            h = x
            for l in range(L):
                z = F.linear(h, p[f'layers.{l}.weight'], p[f'layers.{l}.bias'])
                h = torch.relu(z) if family == 'relu' else z
            return F.linear(h, p['out.weight'], p['out.bias'])
        zg = x
        v = ones
        for l in range(L):
            zg = F.linear(x if family == 'dlgn-sf' else zg, p[f'gate.{l}.weight'], p[f'gate.{l}.bias'])
            g = torch.sigmoid(beta * zg)
            v = g * F.linear(v, p[f'value.{l}.weight'], p[f'value.{l}.bias'])
        return F.linear(v, p['out.weight'], p['out.bias'])

    return p, forward


def run(req):
    spec = req['spec']
    n, d = spec['batch'], spec['inputDim']
    x = torch.tensor(req['x'], dtype=torch.float64).reshape(n, d)
    y = torch.tensor(req['labels'], dtype=torch.long)
    ones = torch.ones(n, d)
    p, forward = build(spec, req['params'])
    opt = torch.optim.Adam(list(p.values()), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(forward(x, ones), y)
        loss.backward()
        opt.step()
        return loss

    loss0 = float(step().item())
    for _ in range(req['warmup']):
        step()
    samples = []
    for _ in range(req['steps']):
        t = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t) * 1e3)
    return {'medianMs': statistics.median(samples), 'samples': samples, 'loss0': loss0}


def main():
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_name()}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            out = run(json.loads(line))
        except Exception as e:  # reported to the bench, which skips the case
            out = {'error': f'{type(e).__name__}: {e}'}
        print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
