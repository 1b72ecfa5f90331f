#!/usr/bin/env python3
"""Fully discrete data with an exact truth: the estimator MIST uses for them against the Miller-Madow plug-in it replaced.

    OMP_NUM_THREADS=1 python scripts/discrete_tables.py     # writes data/results/discrete.nc and prints the table (2-3 min)

Three kinds of joint table, every MI exact (a finite sum over the joint pmf):
- 'nominal': one column a side, a random joint pmf on kx x ky cells (Dirichlet(1/2), seeded), 2 x 2 to 12 x 12;
- 'nominal-multi': 2-3 columns of k codes in X (uniform over the k^dx combinations) and Y | X from a random table
  (each row Dirichlet(alpha)): dependence through a lookup table, whose codes carry no order;
- 'ordinal': X has d columns uniform on {0, ..., L-1} and Y = sum(X) + E, E uniform on {-w, ..., w}:
  Likert-like ordered codes, I(X;Y) = H(sum(X) + E) - H(E) by convolution;
and four kinds with several columns a side, where most combinations are seen once at these n (MI adds over the
independent column pairs):
- 'columns': d columns uniform on {0..L-1} and Y_j = X_j + B_j, B_j uniform on {0..B-1};
- 'binary': d binary columns and Y_j = X_j flipped with probability p;
- 'independent': d columns of L levels a side, independent (MI 0);
- 'nominal-columns': d columns of k unordered codes, Y_j | X_j from a random lookup table per column.
At n = 100, 300, 1,000 and 3,000, three seeds each. 'MIST-QR' is `MIST.estimate_with_info` (all columns discrete:
Chao-Shen entropies, the union of the basic and normal bootstrap intervals, and where more than n/5 cells are filled
the cross-fitted lower bound and an upper end at a discrete side's entropy; where each side has more than half its
rows distinct, `sparse_sides`, the network on the columns' ranks instead); 'Chao-Shen' is `discrete_mi` with
`plugin_interval` (MIST-QR's point estimate everywhere before; its interval only up to n/5 cells filled, beyond that
the cross-fitted bound); 'Miller-Madow' is `plugin_mi` with the basic bootstrap
interval it had before that (200 resamples, the same seed). The shared reducers print MAE, 90% coverage and median
width by kind and by how sparse the sample is: at most n/5 cells of the joint table filled, more, or each side more
than half distinct.
"""
import os, time
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

from mist_nb import MIST  # noqa: E402
from mist_nb.sampling import seed_int  # noqa: E402
from mist_nb.estimate import plugin_mi, discrete_mi, plugin_interval, sparse_sides  # noqa: E402
from mist_nb.evaluate import cell_results, save_cells, load_cells, accuracy, coverage, width  # noqa: E402
from mist_nb.report import md_table, fmt  # noqa: E402

LEVEL, SEEDS, NS = 0.9, (0, 1, 2), (100, 300, 1000, 3000)


def entropy(p: np.ndarray) -> float:
    p = np.asarray(p, dtype=np.float64).ravel(); p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def nominal(kx: int, ky: int, seed: int) -> tuple:
    "(exact MI, sampler(n, seed) -> (x, y)) of a random joint pmf on kx x ky cells."
    P = np.random.default_rng(seed_int(seed, 'nominal', kx, ky)).dirichlet(np.full(kx * ky, 0.5)).reshape(kx, ky)
    def draw(n, s):
        idx = np.random.default_rng(s).choice(kx * ky, size=n, p=P.ravel())
        return (idx // ky).astype(float)[:, None], (idx % ky).astype(float)[:, None]
    return entropy(P.sum(1)) + entropy(P.sum(0)) - entropy(P), draw


def nominal_multi(dx: int, k: int, alpha: float, seed: int) -> tuple:
    "(exact MI, sampler) of dx columns of k codes (uniform combinations) and Y | X from a random lookup table."
    K = k ** dx
    Q = np.random.default_rng(seed_int(seed, 'lookup', dx, k)).dirichlet(np.full(k, alpha), size=K)   # P(y | x)
    def draw(n, s):
        r = np.random.default_rng(s)
        xi = r.integers(0, K, n)
        y = (r.random(n)[:, None] > Q[xi].cumsum(1)).sum(1)
        return np.stack([(xi // k ** j) % k for j in range(dx)], 1).astype(float), y.astype(float)[:, None]
    return entropy(Q.mean(0)) - float(np.mean([entropy(q) for q in Q])), draw


def ordinal(d: int, L: int, w: int) -> tuple:
    "(exact MI, sampler) of d columns uniform on {0..L-1} and Y = their sum + E, E uniform on {-w..w}."
    ps = np.ones(1)
    for _ in range(d): ps = np.convolve(ps, np.full(L, 1 / L))               # pmf of sum(X)
    pe = np.full(2 * w + 1, 1 / (2 * w + 1))
    def draw(n, s):
        r = np.random.default_rng(s)
        x = r.integers(0, L, (n, d))
        return x.astype(float), (x.sum(1) + r.integers(-w, w + 1, n)).astype(float)[:, None]
    return entropy(np.convolve(ps, pe)) - entropy(pe), draw


def columns(d: int, L: int, B: int) -> tuple:
    "(exact MI, sampler) of d independent column pairs Y_j = X_j + B_j, X_j uniform on {0..L-1}, B_j on {0..B-1}."
    p = np.convolve(np.full(L, 1 / L), np.full(B, 1 / B))
    def draw(n, s):
        r = np.random.default_rng(s); x = r.integers(0, L, (n, d))
        return x.astype(float), (x + r.integers(0, B, (n, d))).astype(float)
    return d * (entropy(p) - np.log(B)), draw


def binary(d: int, p: float) -> tuple:
    "(exact MI, sampler) of d binary columns sent through a flip with probability p each."
    def draw(n, s):
        r = np.random.default_rng(s); x = r.integers(0, 2, (n, d))
        return x.astype(float), (x ^ (r.random((n, d)) < p)).astype(float)
    return d * (np.log(2) - entropy([p, 1 - p])), draw


def independent(d: int, L: int) -> tuple:
    "(0, sampler) of d independent columns of L levels a side."
    def draw(n, s):
        r = np.random.default_rng(s); return r.integers(0, L, (n, d)).astype(float), r.integers(0, L, (n, d)).astype(float)
    return 0.0, draw


def nominal_columns(d: int, k: int, alpha: float, seed: int) -> tuple:
    "(exact MI, sampler) of d columns of k unordered codes, Y_j | X_j from a random lookup table per column (rows Dirichlet(alpha))."
    Q = np.random.default_rng(seed_int(seed, 'nominal-columns', d, k)).dirichlet(np.full(k, alpha), size=(d, k))
    def draw(n, s):
        r = np.random.default_rng(s); x = r.integers(0, k, (n, d))
        y = np.stack([(r.random(n)[:, None] > Q[j][x[:, j]].cumsum(1)).sum(1) for j in range(d)], 1)
        return x.astype(float), y.astype(float)
    return sum(entropy(Q[j].mean(0)) - float(np.mean([entropy(q) for q in Q[j]])) for j in range(d)), draw


def cases() -> list:
    "(kind, name, exact MI, sampler) of every checked distribution."
    out = [('nominal', f"{kx} x {ky} table #{t}", *nominal(kx, ky, t)) for kx, ky in ((2, 2), (3, 3), (4, 6), (8, 8), (12, 12)) for t in (0, 1)]
    out += [('nominal-multi', f"{dx} columns x {k} codes, alpha {a}", *nominal_multi(dx, k, a, 0)) for dx, k, a in ((2, 4, 0.3), (3, 4, 0.3), (3, 5, 1.0), (2, 6, 0.2))]
    out += [('ordinal', f"{d} columns x {L} levels, noise +-{w}", *ordinal(d, L, w)) for d, L, w in ((1, 5, 1), (2, 5, 1), (3, 3, 1), (3, 5, 2), (4, 5, 2))]
    out += [('columns', f"{d} columns x {L} levels, + 0..{B - 1}", *columns(d, L, B)) for d, L, B in ((2, 20, 3), (4, 10, 2), (6, 20, 3), (8, 5, 2), (3, 8, 4))]
    out += [('binary', f"{d} binary columns, flip {p}", *binary(d, p)) for d, p in ((6, 0.1), (10, 0.05), (12, 0.2))]
    out += [('independent', f"{d} columns x {L} levels a side", *independent(d, L)) for d, L in ((4, 5), (8, 3), (3, 20))]
    out += [('nominal-columns', f"{d} columns x {k} codes, alpha {a}", *nominal_columns(d, k, a, 0)) for d, k, a in ((4, 6, 0.3), (6, 4, 0.3), (8, 3, 0.5), (5, 8, 1.0))]
    return out


def basic_interval(x, y, est: float, level: float, seed: int, resamples: int = 200) -> tuple:
    "The basic bootstrap interval of `plugin_mi` (2 I - upper quantile, 2 I - lower quantile), as MIST used before."
    rng = np.random.default_rng(seed_int(seed, 'plugin-bootstrap'))
    boot = np.array([plugin_mi(x[i], y[i]) for i in (rng.integers(0, len(x), len(x)) for _ in range(resamples))])
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return max(0.0, min(est, 2 * est - hi)), max(est, 2 * est - lo)


def table(ds, level: float = LEVEL) -> str:
    "Markdown: MAE and coverage per kind of table and estimator, split by whether the sample fills more than n/5 cells."
    rows = []
    regime = np.where(ds.sides_sparse.values, 2, ds.sparse.values.astype(int)) if 'sides_sparse' in ds.coords else ds.sparse.values.astype(int)
    for kind in dict.fromkeys(ds.kind.values):
        for g, label in enumerate(('n/5 or fewer', 'more than n/5', 'each side > n/2 distinct')):
            idx = np.flatnonzero((ds.kind.values == kind) & (regime == g))
            if not len(idx): continue
            part = ds.isel(cell=idx)
            acc, cov, wid = accuracy(part, by=()), coverage(part, by=()).interval.sel(level=level), width(part, by=()).sel(level=level)
            rows.append([kind, label, str(len(idx))]
                        + [f"{fmt(acc.mae.sel(estimator=e))} / {float(cov.sel(estimator=e)):.2f} / {fmt(wid.sel(estimator=e))}" for e in ds.estimator.values])
    return md_table(['table', 'cells filled', 'samples'] + [f"{e}: MAE / {level:.0%} coverage / median width (nats)" for e in ds.estimator.values], rows)


def main():
    t0 = time.time()
    mist = MIST.load('mist-qr')
    names3 = ('MIST-QR', 'Chao-Shen', 'Miller-Madow')
    est, lo, hi = ({k: [] for k in names3} for _ in range(3))
    truth, ns, kinds, names, sparse, sides = [], [], [], [], [], []
    for kind, name, mi, draw in cases():
        for n in NS:
            for s in SEEDS:
                x, y = draw(n, seed_int(s, 'discrete-sample', name, n))
                r = mist.estimate_with_info(x, y, LEVEL)
                assert r.model == ('mist-qr' if sparse_sides(x, y) else 'plug-in (discrete)'), (name, r.model)
                m, c = plugin_mi(x, y), discrete_mi(x, y)
                for k, (e, a, b) in (('MIST-QR', (r.mi, r.lower, r.upper)), ('Chao-Shen', (c, *plugin_interval(x, y, LEVEL, mist.seed))),
                                     ('Miller-Madow', (m, *basic_interval(x, y, m, LEVEL, mist.seed)))):
                    est[k].append(e); lo[k].append(a); hi[k].append(b)
                truth.append(mi); ns.append(n); kinds.append(kind); names.append(name)
                sparse.append(bool(len(np.unique(np.c_[x, y], axis=0)) > n / 5)); sides.append(sparse_sides(x, y))
        print(f"{kind}: {name} (MI {mi:.3f}) done ({time.time() - t0:.0f} s)", flush=True)
    ds = cell_results(est, truth, ns, lo, hi, LEVEL).assign_coords(case=('cell', names), kind=('cell', kinds), sparse=('cell', sparse),
                                                                  sides_sparse=('cell', sides))
    out = save_cells(ds, ROOT / 'data' / 'results' / 'discrete.nc', units='nats', seconds=round(time.time() - t0),
                     question='fully discrete data with exact MI: MIST-QR (Chao-Shen, or the network where each side is mostly distinct) against Chao-Shen everywhere and Miller-Madow', command='python scripts/discrete_tables.py')
    print(f"\n{len(truth)} samples, truth {min(truth):.3f}-{max(truth):.3f} nats; {out.relative_to(ROOT)}\n")
    print(table(load_cells(out)))
    print(f"\ndone in {time.time() - t0:.0f} s")


if __name__ == '__main__':
    main()
