#!/usr/bin/env python3
"""Real tables with an exact truth: real columns as X, a synthetic Y whose MI with them is known exactly.

    OMP_NUM_THREADS=1 python scripts/real_tables.py     # writes data/results/real_tables.nc and prints the table (3 min)
    OMP_NUM_THREADS=1 python scripts/real_tables.py --run runs/broad/mist-qr-r41 --out /tmp/real_tables.nc   # a candidate, before shipping

X is a fixed set of real columns of one of scikit-learn's bundled tables (diabetes, breast cancer, wine), with
their skew, ties, correlations and, in diabetes, a binary sex column. The population is X uniform over the
table's rows, and Y is drawn from it given X:
- 'label': Y ~ Bernoulli(sigmoid(f(X))), so I(X;Y) = h(mean p) - mean h(p), with h the binary entropy in nats;
- 'continuous': Y = f(X) + N(0, 1), so I(X;Y) = h(Y) - h(N(0, 1)), where Y's density is the mixture of the
  rows' normals (`mist_nb.sampling.functional_mi`: binned at 1/40, convolved with the normal density, integrated).
f(X) = w (Z beta + (Z_0^2 - 1) / 2), with Z the standardised columns, beta a seeded random unit vector and w the
signal strength. Every row appears once in the sample (n = the table's rows), with a fresh Y per seed.
MIST-QR, KSG (k = 5) and CCA run on the same samples in this process. The estimates and intervals go to a netCDF
file (`mist_nb.evaluate.cell_results` with the case on each cell); the shared reducers print MAE, bias and
coverage per kind of Y (`mist_nb.report.real_tables_table`, also in the README).
"""
import os, sys
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

from mist_nb.sampling import functional_mi  # noqa: E402
from table_checks import TableCheck  # noqa: E402

SEEDS, STRENGTHS = tuple(range(6)), (1.0, 2.5)


def column_sets() -> list:
    "(table, column names, X) of the checked column sets."
    from sklearn.datasets import load_diabetes, load_breast_cancer, load_wine
    out = []
    for table, f, sets in (('diabetes', load_diabetes, (['age', 'sex', 'bmi', 'bp'], ['s1', 's2'], ['bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'])),
                           ('breast cancer', load_breast_cancer, (['mean radius', 'mean perimeter', 'mean area'], ['mean texture', 'mean smoothness'],
                                                                 ['mean radius', 'mean texture', 'mean smoothness', 'mean compactness', 'mean symmetry'])),
                           ('wine', load_wine, (['alcohol', 'malic_acid', 'ash', 'magnesium'], ['flavanoids', 'total_phenols']))):
        b = f(as_frame=True).frame
        out += [(table, cols, b[cols].to_numpy(np.float64)) for cols in sets]
    return out


def binary_entropy(p):
    p = np.clip(p, 1e-300, 1 - 1e-16)
    return -(p * np.log(p) + (1 - p) * np.log1p(-p))


def draw(x: np.ndarray, kind: str, w: float, seed: int) -> tuple:
    "(y, exact I(X;Y) in nats) for the real columns x."
    rng = np.random.default_rng(seed)
    z = (x - x.mean(0)) / x.std(0)
    beta = rng.normal(size=x.shape[1]); beta /= np.linalg.norm(beta)
    f = w * (z @ beta + (z[:, 0] ** 2 - 1) / 2)
    if kind == 'label':
        p = 1 / (1 + np.exp(-f))
        return (rng.random(len(f)) < p).astype(np.float64)[:, None], float(binary_entropy(p.mean()) - binary_entropy(p).mean())
    return (f + rng.normal(size=len(f)))[:, None], functional_mi(f, 'gauss', 1.0)   # h(f + N) - h(N) for rows uniform


def main():
    tc = TableCheck(__doc__, 'real_tables.nc')
    case, kinds, tables = [], [], []
    sets = column_sets()
    for table, cols, x in sets:
        for kind in ('label', 'continuous'):
            for s in SEEDS:
                w = STRENGTHS[s % len(STRENGTHS)]
                y, t = draw(x, kind, w, 1000 * len(case) + s)
                tc.add(x, y, t)
                kinds.append(kind); tables.append(table); case.append(f"{table}: {', '.join(cols)} / {kind} w={w}")
        print(f"{table}: {', '.join(cols)} done ({tc.elapsed()})", flush=True)
    tc.save('scripts/real_tables.py', 'real columns as X, a synthetic Y with exact MI: how close is each estimator?',
            f"{len(sets)} column sets x 2 kinds of Y x {len(SEEDS)} seeds", case=case, kind=kinds, table=tables)


if __name__ == '__main__':
    main()
