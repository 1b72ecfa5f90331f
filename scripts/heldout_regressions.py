#!/usr/bin/env python3
"""Held-out regressions on real columns: interactions, kinks and heavy-tailed noise that no training family has.

    OMP_NUM_THREADS=1 python scripts/heldout_regressions.py     # writes data/results/heldout_regressions.nc and prints the table (1 min)
    OMP_NUM_THREADS=1 python scripts/heldout_regressions.py --run runs/broad/mist-qr-r41 --out /tmp/heldout_regressions.nc   # a candidate

The training mix has regressions of several columns (`mist_nb.sampling.RegressionFamily`: sums of ridge terms of
Gaussian inputs, bowls never saddles, Gaussian noise). This check keeps every one of those choices out, so it
tests whether reading a regression carries over rather than whether the bank was learnt:
- X: the real columns of `scripts/real_tables.py` (skewed, tied, correlated; one binary column), the population
  X uniform over the table's rows, every row once in a sample (n = the table's rows: 178 to 569);
- f(X) = w g(Z) with Z the standardised columns, b a seeded random unit vector, and g one of three shapes that are no
  sum of ridge functions: 'saddle' Z b + Z_0 Z_1, 'max' max(Z_0, Z_1) + Z b / 2, 'gate' Z_0 tanh(2 Z_1) + Z b / 2;
- Y = f(X) + L with L Laplace noise of unit variance (the training noise is Gaussian), so
  I(X;Y) = h(f(X) + L) - h(L) with h(L) = 1 + log(2) / 2, Y's density the mixture of the rows' Laplace densities
  (`mist_nb.sampling.functional_mi` with `noise='laplace'`).
w alternates 0.7 / 2.0 over 4 seeds. MIST-QR, KSG (k = 5) and CCA run on the same samples in this process; the
shared reducer prints MAE, bias and MIST-QR's coverage per shape (`mist_nb.report.real_tables_table`).
"""
import os, sys
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

from mist_nb.sampling import functional_mi, seed_int  # noqa: E402
from real_tables import column_sets  # noqa: E402
from table_checks import TableCheck  # noqa: E402

SEEDS, STRENGTHS = tuple(range(4)), (0.7, 2.0)
SHAPES = {
    'saddle': lambda z, b: z @ b + z[:, 0] * z[:, 1],
    'max': lambda z, b: np.maximum(z[:, 0], z[:, 1]) + (z @ b) / 2,
    'gate': lambda z, b: z[:, 0] * np.tanh(2 * z[:, 1]) + (z @ b) / 2,
}


def draw(x: np.ndarray, shape: str, w: float, seed: int) -> tuple:
    "(y (n, 1), exact I(X;Y) in nats) for the real columns x (n, d >= 2), X uniform over its rows."
    rng = np.random.default_rng(seed)
    z = (x - x.mean(0)) / x.std(0)
    b = rng.normal(size=x.shape[1]); b /= np.linalg.norm(b)
    f = w * SHAPES[shape](z, b)
    return (f + rng.laplace(scale=1 / np.sqrt(2), size=len(f)))[:, None], functional_mi(f, 'laplace', 1.0)


def main():
    tc = TableCheck(__doc__, 'heldout_regressions.nc')
    case, kinds = [], []
    sets = column_sets()
    for table, cols, x in sets:
        for shape in SHAPES:
            for s in SEEDS:
                w = STRENGTHS[s % len(STRENGTHS)]
                y, t = draw(x, shape, w, seed_int(2026, 'heldout-regressions', table, *cols, shape, s))
                tc.add(x, y, t)
                kinds.append(shape); case.append(f"{table}: {', '.join(cols)} / {shape} w={w}, seed {s}")
        print(f"{table}: {', '.join(cols)} done ({tc.elapsed()})", flush=True)
    tc.save('scripts/heldout_regressions.py', 'real columns, an outcome through an interaction or a kink with Laplace noise, exact MI: how close is each estimator?',
            f"{len(sets)} column sets x {len(SHAPES)} shapes x {len(SEEDS)} seeds", case=case, kind=kinds)


if __name__ == '__main__':
    main()
