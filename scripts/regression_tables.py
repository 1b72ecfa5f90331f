#!/usr/bin/env python3
"""Regression tables with an exact truth: an outcome that is a smooth function of several skewed, correlated columns.

    OMP_NUM_THREADS=1 python scripts/regression_tables.py     # writes data/results/regression_tables.nc and prints the table (3 min)
    OMP_NUM_THREADS=1 python scripts/regression_tables.py --run runs/broad/mist-qr-r41 --out /tmp/regression_tables.nc   # a candidate, before shipping

The commonest question asked of a table - how much do these d columns tell about the outcome? - in a form whose
answer is known. A population of 200,000 rows: Z ~ N(0, C) in d = 2, 4 or 8 dimensions with a seeded random
correlation matrix C, the columns X_j = m_j(Z_j) through monotone maps that real columns look like (exp: a skewed,
positive column; a cube: heavy tails; a staircase with a small slope: clustered values; the identity), and the outcome
Y = f(Z) + N(0, 1) with f one of four shapes of signal strength w (0.7 or 2.0):
- 'linear': w Z b;  'lin+quad': w (Z b + (Z_1^2 - 1) / 2);  'tanh': 2 w tanh(Z b);  'interaction': w (Z b + Z_1 Z_2),
with b a seeded direction of unit variance. For X uniform over the population's rows, I(X;Y) = h(Y) - h(N(0, 1)) where
Y's density is the mixture of the rows' unit normals (`mist_nb.sampling.functional_mi`: the rows' values binned at 1/40,
convolved with the normal density and integrated; within 2e-5 nats of a direct quadrature of the mixture). Samples of n = 300 and 1,000 rows are drawn from it without replacement (2 seeds).
MIST-QR, KSG (k = 5) and CCA run on the same samples in this process; the shared reducer prints MAE, bias and
MIST-QR's coverage per number of columns (`mist_nb.report.real_tables_table`, also in the README). None of these
shapes or marginals is a family the shipped models were trained or calibrated on as such (the `train-regression` mix,
which no shipped model uses yet, has ridge sums like 'linear', 'lin+quad' and 'tanh'; 'interaction' is a saddle and stays out).
"""
import os, sys
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

from mist_nb.sampling import seed_int, functional_mi  # noqa: E402
from table_checks import TableCheck  # noqa: E402

POP, DIMS, WS, NS, SEEDS = 200_000, (2, 4, 8), (0.7, 2.0), (300, 1000), (0, 1)

SHAPES = {
    'linear': lambda z, b, w: w * (z @ b),
    'lin+quad': lambda z, b, w: w * (z @ b + 0.5 * (z[:, 0] ** 2 - 1)),
    'tanh': lambda z, b, w: 2 * w * np.tanh(z @ b),
    'interaction': lambda z, b, w: w * (z @ b + z[:, 0] * z[:, 1]),
}
MARGINS = (np.exp, lambda v: v ** 3, lambda v: np.floor(4 * v) / 4 + 0.01 * v, lambda v: v)   # all strictly increasing


def population(d: int, shape: str, w: float) -> tuple:
    "(Z (POP, d), f(Z), exact I(X;Y) in nats) of one seeded population."
    g = np.random.default_rng(seed_int(2026, 'regression-tables', d, shape, int(10 * w)))
    A = g.normal(size=(d, d)) * 0.6 + np.eye(d)
    C = A @ A.T
    s = np.sqrt(np.diag(C)); C = C / np.outer(s, s)
    b = g.normal(size=d); b /= np.sqrt(b @ C @ b)
    z = g.standard_normal((POP, d)) @ np.linalg.cholesky(C).T
    f = SHAPES[shape](z, b, w)
    return z, f, functional_mi(f, 'gauss', 1.0)                       # I(X; f + N(0, 1)) for X uniform over the rows


def main():
    tc = TableCheck(__doc__, 'regression_tables.nc')
    case, kinds = [], []
    for d in DIMS:
        for shape in SHAPES:
            for w in WS:
                z, f, t = population(d, shape, w)
                for n in NS:
                    for s in SEEDS:
                        g = np.random.default_rng(seed_int(2026, 'regression-sample', d, shape, int(10 * w), n, s))
                        i = g.choice(POP, n, replace=False)
                        x = np.stack([MARGINS[j % len(MARGINS)](z[i, j]) for j in range(d)], 1)
                        tc.add(x, (f[i] + g.normal(size=n))[:, None], t)
                        kinds.append(f"f(X) + E, X of {d} columns"); case.append(f"{d} columns, {shape}, w={w}, n={n}, seed {s}")
        print(f"{d} columns done ({tc.elapsed()})", flush=True)
    tc.save('scripts/regression_tables.py', 'an outcome that is a smooth function of several skewed columns, exact MI: how close is each estimator?',
            f"{len(DIMS)} widths x {len(SHAPES)} shapes x {len(WS)} strengths x {len(NS)} sizes x {len(SEEDS)} seeds", case=case, kind=kinds)


if __name__ == '__main__':
    main()
