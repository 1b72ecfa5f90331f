#!/usr/bin/env python3
"""Throughput of the meta-distribution sampler: datasets per second.

    python scripts/bench_sampling.py                 # the training mix at n=200, d_x = d_y = 8, on the CPU
    python scripts/bench_sampling.py --device cuda   # the same on a GPU

Prints datasets/second for a few batch sizes and writes data/results/sampling_speed.json. The issue's target:
at least 10,000 datasets/s on a 2-core CPU for the training mix at n=200 with 8+8 dims.
"""
import argparse, json, os, platform
from dataclasses import replace
from pathlib import Path

import torch

from mist_nb.sampling import training_spec, throughput
from mist_nb.core import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cpu')
    p.add_argument('--n', type=int, default=200)
    p.add_argument('--dim', type=int, default=8)
    a = p.parse_args()
    md = replace(training_spec(), dim_x=(a.dim, a.dim), dim_y=(a.dim, a.dim))
    res = dict(spec='training_spec() with fixed dims', n=a.n, dim_x=a.dim, dim_y=a.dim, device=a.device, threads=torch.get_num_threads(),
               machine=f"{platform.machine()}, {os.cpu_count()} cores", datasets_per_s={})
    for bs in (1024, 4096, 8192):
        rate = throughput(md, batch_size=bs, n=a.n, batches=4, device=a.device)
        res['datasets_per_s'][bs] = rate
        print(f"batch {bs:5d}: {rate:10,.0f} datasets/s  (n={a.n}, {a.dim}+{a.dim} dims, {a.device}, {res['threads']} threads)")
    best = max(res['datasets_per_s'].values())
    print(f"best: {best:,.0f} datasets/s   [target >= 10,000 on the 2-core CPU]")
    if a.device == 'cpu': atomic_write_text(json.dumps(res, indent=1), ROOT / 'data' / 'results' / 'sampling_speed.json')


if __name__ == '__main__':
    main()
