#!/usr/bin/python3
"""PyTorch (CPU, float64, one thread) reference for bench/step.bench.ts: one JSON request per line.

Started by the bench with /usr/bin/python3 (Debian's python3-torch, OpenBLAS from
libopenblas0-pthread) and an environment without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
(see bench/machines.md). Prints one hello line, then answers each request line

    {"spec": {"family", "inputDim", "widths", "classes", "batch", "beta"},
     "params": {name: {"shape", "data"}}, "x": [...], "labels": [...], "steps": N, "warmup": W,
     "variant": "mitm" | "einsum"}   (variant: DLGN-VT only, how the value tensor is contracted)

with {"medianMs", "samples", "loss0"}: the median wall time of one training step
(zero_grad, forward, cross-entropy, backward, Adam step) over N timed steps after W warm-up steps.
The model is the same network as the TypeScript engine's, with the same initial parameters.
"""

import json
import math
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


def split_point(widths, k):
    """The model's split of a DLGN-VT's layers: the s in 1..L-1 with the smallest k P_F + P_B."""
    best, best_cost = 1, float('inf')
    for s in range(1, len(widths)):
        cost = k * math.prod(widths[:s]) + math.prod(widths[s:])
        if cost < best_cost:
            best, best_cost = s, cost
    return best


def value_tensor_forward(spec, p, variant):
    """DLGN-VT: out[n, c] = sum over paths of V[c, i_1..i_L] G_1[n, i_1] ... G_L[n, i_L].

    'einsum': the one call a PyTorch user would write, 'na,nb,nd,ne,cabde->nc'; torch 1.13 without
    opt_einsum contracts its operands left to right, so it builds the [n, P] path activities.
    'mitm': the engine's meet-in-the-middle contraction written with torch ops.
    """
    widths, k, beta = spec['widths'], spec['classes'], float(spec['beta'])
    L = len(widths)
    letters = 'abdefghijklmopqrstuvwxyz'[:L]
    equation = ','.join(f'n{c}' for c in letters) + f',c{letters}->nc'
    s = split_point(widths, k) if L > 1 else 1

    def forward(x, ones):
        n = x.shape[0]
        gates = [torch.sigmoid(beta * F.linear(x, p[f'gate.{l}.weight'], p[f'gate.{l}.bias'])) for l in range(L)]
        V = p['value']
        if variant == 'einsum':
            return torch.einsum(equation, *gates, V)
        if L == 1:
            return gates[0] @ V.t()
        front = gates[0]
        for g in gates[1:s]:
            front = (front[:, :, None] * g[:, None, :]).reshape(n, -1)
        back = gates[s]
        for g in gates[s + 1:]:
            back = (back[:, :, None] * g[:, None, :]).reshape(n, -1)
        pF, pB = front.shape[1], back.shape[1]
        w = back @ V.reshape(k * pF, pB).t()  # [n, k P_F]: nearly all the work
        return torch.bmm(w.view(n, k, pF), front.unsqueeze(2)).squeeze(2)

    return forward


def build(spec, params, variant='mitm'):
    p = {k: torch.tensor(v['data'], dtype=torch.float64).reshape(v['shape']).requires_grad_() for k, v in params.items()}
    family = spec['family']
    L = len(spec['widths'])
    beta = float(spec['beta'])
    if family == 'dlgn-vt':
        if variant not in ('mitm', 'einsum'):
            raise ValueError(f"variant must be 'mitm' or 'einsum', got {variant!r}")
        return p, value_tensor_forward(spec, p, variant)

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
    p, forward = build(spec, req['params'], req.get('variant', 'mitm'))
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
