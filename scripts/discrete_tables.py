#!/usr/bin/env python3
"""Fully discrete data with an exact truth: the estimator MIST uses for them against the Miller-Madow plug-in it replaced.

    OMP_NUM_THREADS=1 python scripts/discrete_tables.py     # writes data/results/discrete.nc and prints the table (2-3 min)

Three kinds of joint table, every MI exact (a finite sum over the joint pmf):
- 'nominal': one column a side, a random joint pmf on kx x ky cells (Dirichlet(1/2), seeded), 2 x 2 to 12 x 12;
- 'nominal-multi': 2-3 columns of k codes in X (uniform over the k^dx combinations) and Y | X from a random table
  (each row Dirichlet(alpha)): dependence through a lookup table, whose codes carry no order;
- 'ordinal': X has d columns uniform on {0, ..., L-1} and Y = sum(X) + E, E uniform on {-w, ..., w}:
  Likert-like ordered codes, I(X;Y) = H(sum(X) + E) - H(E) by convolution.
At n = 100, 300, 1,000 and 3,000, three seeds each. 'MIST-QR' is `MIST.estimate_with_info` (all columns discrete:
Chao-Shen entropies, the union of the basic and normal bootstrap intervals, and where more than n/5 cells are filled
the cross-fitted lower bound and an upper end at a discrete side's entropy); 'Miller-Madow' is `plugin_mi` with the
basic bootstrap interval it had before (200 resamples, the same seed). The shared reducers print MAE, 90% coverage and median width
by kind and by whether the sample fills more than n/5 cells of the joint table.
"""
import os, time
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

from mist_nb import MIST  # noqa: E402
from mist_nb.sampling import seed_int  # noqa: E402
from mist_nb.estimate import plugin_mi  # noqa: E402
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


def cases() -> list:
    "(kind, name, exact MI, sampler) of every checked distribution."
    out = [('nominal', f"{kx} x {ky} table #{t}", *nominal(kx, ky, t)) for kx, ky in ((2, 2), (3, 3), (4, 6), (8, 8), (12, 12)) for t in (0, 1)]
    out += [('nominal-multi', f"{dx} columns x {k} codes, alpha {a}", *nominal_multi(dx, k, a, 0)) for dx, k, a in ((2, 4, 0.3), (3, 4, 0.3), (3, 5, 1.0), (2, 6, 0.2))]
    out += [('ordinal', f"{d} columns x {L} levels, noise +-{w}", *ordinal(d, L, w)) for d, L, w in ((1, 5, 1), (2, 5, 1), (3, 3, 1), (3, 5, 2), (4, 5, 2))]
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
    for kind in dict.fromkeys(ds.kind.values):
        for sparse in (False, True):
            idx = np.flatnonzero((ds.kind.values == kind) & (ds.sparse.values == sparse))
            if not len(idx): continue
            part = ds.isel(cell=idx)
            acc, cov, wid = accuracy(part, by=()), coverage(part, by=()).interval.sel(level=level), width(part, by=()).sel(level=level)
            rows.append([kind, 'more than n/5' if sparse else 'n/5 or fewer', str(len(idx))]
                        + [f"{fmt(acc.mae.sel(estimator=e))} / {float(cov.sel(estimator=e)):.2f} / {fmt(wid.sel(estimator=e))}" for e in ds.estimator.values])
    return md_table(['table', 'cells filled', 'samples'] + [f"{e}: MAE / {level:.0%} coverage / median width (nats)" for e in ds.estimator.values], rows)


def main():
    t0 = time.time()
    mist = MIST.load('mist-qr')
    est, lo, hi = {'MIST-QR': [], 'Miller-Madow': []}, {'MIST-QR': [], 'Miller-Madow': []}, {'MIST-QR': [], 'Miller-Madow': []}
    truth, ns, kinds, names, sparse = [], [], [], [], []
    for kind, name, mi, draw in cases():
        for n in NS:
            for s in SEEDS:
                x, y = draw(n, seed_int(s, 'discrete-sample', name, n))
                r = mist.estimate_with_info(x, y, LEVEL)
                assert r.model == 'plug-in (discrete)', (name, r.model)
                m = plugin_mi(x, y)
                for k, (e, a, b) in (('MIST-QR', (r.mi, r.lower, r.upper)), ('Miller-Madow', (m, *basic_interval(x, y, m, LEVEL, mist.seed)))):
                    est[k].append(e); lo[k].append(a); hi[k].append(b)
                truth.append(mi); ns.append(n); kinds.append(kind); names.append(name)
                sparse.append(bool(len(np.unique(np.c_[x, y], axis=0)) > n / 5))
        print(f"{kind}: {name} (MI {mi:.3f}) done ({time.time() - t0:.0f} s)", flush=True)
    ds = cell_results(est, truth, ns, lo, hi, LEVEL).assign_coords(case=('cell', names), kind=('cell', kinds), sparse=('cell', sparse))
    out = save_cells(ds, ROOT / 'data' / 'results' / 'discrete.nc', units='nats', seconds=round(time.time() - t0),
                     question='fully discrete data with exact MI: Chao-Shen (MIST) against Miller-Madow', command='python scripts/discrete_tables.py')
    print(f"\n{len(truth)} samples, truth {min(truth):.3f}-{max(truth):.3f} nats; {out.relative_to(ROOT)}\n")
    print(table(load_cells(out)))
    print(f"\ndone in {time.time() - t0:.0f} s")


if __name__ == '__main__':
    main()
