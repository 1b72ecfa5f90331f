#!/usr/bin/env python3
"""How far do MI-preserving changes of a side move each estimator? Real tables and synthetic data.

    OMP_NUM_THREADS=1 python scripts/robustness.py           # writes data/results/robustness.nc and prints the table

For random column choices on scikit-learn's bundled tables (diabetes, breast cancer, wine: X = 1-3 columns, Y = 1-2
others) and on synthetic non-Gaussian data, each estimator is run on the pair and on MI-preserving variants of one
side: a duplicated column, an exact linear combination of its columns, a near-collinear one (the combination plus
noise of 0.1% of its spread), an invertible linear mixing (random rotation times scales in [0.3, 1]), a monotone copy
of a column, an offset and scale (1e-6 x + 1e6), and the square of a centred column beside it (a derived feature,
not monotone). MI is the same for all of them, so every move is error. The moves
(estimator x pair x variant, nats) go to a netCDF file with provenance; `mist_nb.report.robustness_table` reduces them
to the mean |move| per variant and estimator and the share of moves below 0.05 nats, which this script prints; the
mixing rows are also split by how unequal the side's column spreads are (`spread_ratio`, largest over smallest
standard deviation, below or above 10): mixing raw columns whose spreads differ a hundredfold buries the small ones.
"""
import os, sys, time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

from mist_nb import MIST  # noqa: E402
from mist_nb.baselines import KSG, CCA  # noqa: E402
from mist_nb.core import hardware, git_revision  # noqa: E402


def variants(a: np.ndarray, rng) -> dict:
    w = rng.normal(size=a.shape[1]); comb = a @ w
    A = np.linalg.qr(rng.normal(size=(a.shape[1], a.shape[1])))[0] * np.exp(rng.uniform(np.log(0.3), 0, a.shape[1]))
    return {'duplicate': np.c_[a, a[:, :1]], 'combination': np.c_[a, comb], 'near-collinear': np.c_[a, comb + 1e-3 * comb.std() * rng.normal(size=len(a))],
            'mixed': a @ A, 'monotone copy': np.c_[a, np.exp(a[:, :1] / a[:, :1].std())], 'offset and scale': 1e-6 * a + 1e6,
            'square of a column': np.c_[a, (a[:, :1] - np.median(a[:, :1])) ** 2]}


def spread_ratio(a: np.ndarray) -> float:
    "Largest over smallest column standard deviation of a side (1 for one column): how ill-conditioned a mixing of its raw columns is."
    s = a.std(0)
    return float(s.max() / s.min())


def choices(count: int, seed: int = 0) -> list:
    "(name, X, Y) pairs: random column choices on the bundled tables, then synthetic non-Gaussian pairs."
    from sklearn.datasets import load_diabetes, load_breast_cancer, load_wine
    rng = np.random.default_rng(seed)
    tables = [(n, f().data) for n, f in (('diabetes', load_diabetes), ('breast cancer', load_breast_cancer), ('wine', load_wine))]
    out = []
    for i in range(count):
        name, data = tables[i % len(tables)]
        cols = rng.permutation(data.shape[1])
        dx, dy = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        out.append((f"{name} {cols[:dx].tolist()} vs {cols[dx:dx + dy].tolist()}", data[:, cols[:dx]], data[:, cols[dx:dx + dy]]))
    for s in range(max(1, count // 4)):
        r = np.random.default_rng(100 + s)
        x = r.normal(size=(800, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1.0]])
        out.append((f"synthetic {s}", x, np.c_[x[:, 0] ** 2 + 0.5 * r.normal(size=800), np.exp(x[:, 1] / 2) + r.normal(size=800)]))
    return out


def main():
    import xarray as xr
    from mist_nb.report import robustness_table
    t0 = time.time()
    ests = {'MIST-QR': MIST.load('mist-qr'), 'MIST-QR-paper': MIST.load('mist-qr-paper'), 'KSG': KSG(k=5), 'CCA': CCA(ridge=1e-6)}
    pairs = choices(int(sys.argv[1]) if len(sys.argv) > 1 else 48)
    names = list(variants(np.ones((3, 2)) + np.eye(3, 2), np.random.default_rng(0)))
    keys = [f"{side}: {k}" for side in 'xy' for k in names]
    move = np.full((len(ests), len(pairs), len(keys)), np.nan)
    ref = np.full((len(ests), len(pairs)), np.nan)
    spread = np.array([[spread_ratio(a) for a in (x, y)] for _, x, y in pairs])   # how unequal each side's column spreads are
    for i, (name, x, y) in enumerate(pairs):
        rng = np.random.default_rng(i)
        vs = [(f"{side}: {k}", v) for side in 'xy' for k, v in variants(x if side == 'x' else y, rng).items()]
        for a, est in enumerate(ests.values()):
            f = (lambda u, w: est.estimate_with_info(u, w).mi) if isinstance(est, MIST) else est.estimate
            ref[a, i] = f(x, y)
            for b, (k, v) in enumerate(vs):
                move[a, i, b] = (f(v, y) if k.startswith('x') else f(x, v)) - ref[a, i]
        print(f"{i + 1}/{len(pairs)} {name}", flush=True)
    ds = xr.Dataset(dict(move=(('estimator', 'pair', 'variant'), move), reference=(('estimator', 'pair'), ref),
                         spread_ratio=(('pair', 'side'), spread)),
                    coords=dict(estimator=list(ests), pair=[p[0] for p in pairs], variant=keys, side=['x', 'y']),
                    attrs=dict(question='how far do MI-preserving changes of one side move the estimate (nats)?', units='nats',
                               hardware=hardware(), git_revision=git_revision(), seconds=round(time.time() - t0),
                               command='python scripts/robustness.py ' + ' '.join(sys.argv[1:])))
    out = ROOT / 'data' / 'results' / 'robustness.nc'
    tmp = out.with_name(f'.{out.name}.tmp')
    ds.to_netcdf(tmp, engine='scipy'); os.replace(tmp, out)          # atomic: a killed run leaves the old file
    print(robustness_table(out))


if __name__ == '__main__':
    main()
