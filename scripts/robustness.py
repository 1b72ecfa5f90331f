#!/usr/bin/env python3
"""How far do MI-preserving changes of a side move each estimator? Real tables and synthetic data.

    OMP_NUM_THREADS=1 python scripts/robustness.py           # writes data/results/robustness.json and prints the table

For random column choices on scikit-learn's bundled tables (diabetes, breast cancer, wine: X = 1-3 columns, Y = 1-2
others) and on synthetic non-Gaussian data, each estimator is run on the pair and on MI-preserving variants of one
side: a duplicated column, an exact linear combination of its columns, a near-collinear one (the combination plus
noise of 0.1% of its spread), an invertible linear mixing (random rotation times scales in [0.3, 1]), a monotone copy
of a column, and an offset and scale (1e-6 x + 1e6). MI is the same for all of them, so every move is error. Reports the
mean |move| (nats) per variant and estimator, over all choices, and the share of moves below 0.05 nats.
"""
import json, sys, time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

from mist_nb import MIST  # noqa: E402
from mist_nb.baselines import KSG, CCA  # noqa: E402
from mist_nb.core import atomic_write_text, hardware, git_revision  # noqa: E402


def variants(a: np.ndarray, rng) -> dict:
    w = rng.normal(size=a.shape[1]); comb = a @ w
    A = np.linalg.qr(rng.normal(size=(a.shape[1], a.shape[1])))[0] * np.exp(rng.uniform(np.log(0.3), 0, a.shape[1]))
    return {'duplicate': np.c_[a, a[:, :1]], 'combination': np.c_[a, comb], 'near-collinear': np.c_[a, comb + 1e-3 * comb.std() * rng.normal(size=len(a))],
            'mixed': a @ A, 'monotone copy': np.c_[a, np.exp(a[:, :1] / a[:, :1].std())], 'offset and scale': 1e-6 * a + 1e6}


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
    t0 = time.time()
    ests = {'MIST-QR': MIST.load('mist-qr'), 'MIST-QR-paper': MIST.load('mist-qr-paper'), 'KSG': KSG(k=5), 'CCA': CCA(ridge=1e-6)}
    moves = {e: {} for e in ests}
    pairs = choices(int(sys.argv[1]) if len(sys.argv) > 1 else 48)
    for i, (name, x, y) in enumerate(pairs):
        rng = np.random.default_rng(i)
        vs = [(f"{side}: {k}", v) for side in 'xy' for k, v in variants(x if side == 'x' else y, rng).items()]
        for e, est in ests.items():
            f = (lambda a, b: est.estimate_with_info(a, b).mi) if isinstance(est, MIST) else est.estimate
            ref = f(x, y)
            for k, v in vs:
                got = f(v, y) if k.startswith('x') else f(x, v)
                moves[e].setdefault(k.split(': ')[1], []).append(abs(got - ref))
        print(f"{i + 1}/{len(pairs)} {name}", flush=True)
    summary = {e: {k: dict(mean_abs=float(np.mean(v)), share_below_0_05=float(np.mean(np.array(v) < 0.05)), count=len(v))
                   for k, v in m.items()} for e, m in moves.items()}
    res = dict(question='how far do MI-preserving changes of one side move the estimate (nats)?', pairs=len(pairs), summary=summary,
               hardware=hardware(), git_revision=git_revision(), seconds=round(time.time() - t0), units='nats')
    atomic_write_text(json.dumps(res, indent=1), ROOT / 'data' / 'results' / 'robustness.json')
    for k in summary['KSG']:
        print(f"{k:18s}", '  '.join(f"{e}: {summary[e][k]['mean_abs']:.3f} ({summary[e][k]['share_below_0_05']:.0%} < 0.05)" for e in ests))


if __name__ == '__main__':
    main()
