#!/usr/bin/env python3
"""Speed of MIST against the baselines, measured in one process on this machine.

    python scripts/bench_speed.py            # writes data/results/speed.json and prints ratios

Measures (median wall time over repeats, after warm-up):
- one dataset with n=500 and 8+8 dims: MIST-QR with 1 thread and with all threads, KSG (k=5), CCA;
- `estimate_batch` throughput at n=200 (4+4 dims, 2000 datasets): datasets per second;
- per-dataset neural estimators (InfoNCE, MINE, NWJ, default settings) at n=500, 8+8 dims;
- MIST at n=10,000 and n=100,000 (linear memory, bounded time).
Ratios are computed from numbers measured in this same run.
"""
import json, platform, os, time
from pathlib import Path

import numpy as np
import torch

from mist_nb import MIST
from mist_nb.baselines import KSG, CCA, InfoNCE, MINE, NWJ
from mist_nb.sampling import get_task, Task
from mist_nb.train import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(f, repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup): f()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def main():
    threads = torch.get_num_threads()
    est = MIST.load('mist-qr')
    x, y = Task('normal-dense', 8, 8, dict(off_diag=0.3)).sample(500, seed=0)
    res = dict(machine=f"{platform.machine()}, {os.cpu_count()} cores", torch=torch.__version__, threads_available=threads, units='seconds')
    torch.set_num_threads(1)
    res['mist_n500_8x8_1thread'] = median_seconds(lambda: est.estimate(x, y), 50)
    torch.set_num_threads(threads)
    res['mist_n500_8x8_all_threads'] = median_seconds(lambda: est.estimate(x, y), 50)
    res['ksg5_n500_8x8'] = median_seconds(lambda: KSG(k=5).estimate(x, y), 20)
    res['cca_n500_8x8'] = median_seconds(lambda: CCA().estimate(x, y), 50)
    for name, cls in (('infonce', InfoNCE), ('mine', MINE), ('nwj', NWJ)):
        res[f'{name}_n500_8x8'] = median_seconds(lambda: cls().estimate(x, y), 3, warmup=1)
    pairs = [get_task('multinormal-dense-3-3-0.5').sample(200, seed=s) for s in range(8)]
    pairs = [(np.c_[a, a[:, :1] * 0.5 + 0.1 * b[:, :1]], np.c_[b, b[:, :1]]) for a, b in pairs]  # 4+4 dims
    pairs = pairs * 250
    t = median_seconds(lambda: est.estimate_batch(pairs), 3, warmup=1)
    res['batch_n200_4x4_datasets_per_s'] = len(pairs) / t
    for n in (10_000, 100_000):
        xb, yb = get_task('multinormal-dense-5-5-0.5').sample(n, seed=1)
        res[f'mist_n{n}_5x5'] = median_seconds(lambda: est.estimate(xb, yb), 3, warmup=1)
    m = res['mist_n500_8x8_all_threads']
    res['ratios'] = dict(ksg_over_mist=res['ksg5_n500_8x8'] / m, infonce_over_mist=res['infonce_n500_8x8'] / m,
                         mine_over_mist=res['mine_n500_8x8'] / m, nwj_over_mist=res['nwj_n500_8x8'] / m)
    res['targets'] = dict(mist_single_ms_max=5.0, batch_per_s_min=1000, neural_ratio_min=100, faster_than_ksg=True)
    atomic_write_text(json.dumps(res, indent=1), ROOT / 'data' / 'results' / 'speed.json')
    print(f"MIST-QR, one dataset n=500, 8+8 dims: {1e3 * res['mist_n500_8x8_1thread']:.1f} ms (1 thread), "
          f"{1e3 * m:.1f} ms ({threads} threads)   [target <= 5 ms]")
    print(f"KSG k=5: {1e3 * res['ksg5_n500_8x8']:.1f} ms -> MIST is {res['ratios']['ksg_over_mist']:.1f}x faster")
    for k in ('infonce', 'mine', 'nwj'):
        print(f"{k}: {res[f'{k}_n500_8x8']:.2f} s per dataset -> MIST is {res['ratios'][k + '_over_mist']:.0f}x faster   [target >= 100x]")
    print(f"estimate_batch at n=200 (4+4 dims): {res['batch_n200_4x4_datasets_per_s']:.0f} datasets/s   [target >= 1000]")
    print(f"n=10,000: {res['mist_n10000_5x5']:.3f} s; n=100,000: {res['mist_n100000_5x5']:.3f} s")


if __name__ == '__main__':
    main()
