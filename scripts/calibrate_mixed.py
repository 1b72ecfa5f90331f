#!/usr/bin/env python3
"""Calibrate the interval of the mixed k-NN estimator (a label on one side, continuous columns on the other).

    python scripts/calibrate_mixed.py                      # 1,200 draws (about 15 minutes) -> data/results/mixed_calibration.json
    python scripts/calibrate_mixed.py --draws 200          # a smaller run
    python scripts/calibrate_mixed.py --from-draws runs/mixed_calibration.pkl   # refit kept draws (seconds)

The draws come from a family of its own, which no grid of the benchmark uses: K classes (2 to n/10, at most 100, Dirichlet class
probabilities) whose continuous side (1-8 columns) is Gaussian with class-dependent means, scales or both. Its MI has no
closed form, so each draw's truth is a Monte-Carlo average of the exact pointwise MI log p(y|c) - log p(y) over 60,000
rows (standard error recorded, about 0.004 nats). For each draw the script keeps the mixed estimate, its subsample
standard error (`mixed_se`) and the continuous side's width d, then fits, per nominal level, the normalised conformal
factors of the interval [m - q_dn s, m + q_up s] with s = se + MIXED_SLACK, separately in each bucket of rows per label
(MIXED_RPL_EDGES: with few rows per label the estimator reads high): q_up on d <= 2 (above that the estimator
is biased low at high MI, and MIST keeps the network's upper end), q_dn separately for d <= 2 and d >= 3. It fits on the
even draws and reports coverage on the odd ones (and the mean over 20 random halves), then prints the factors fitted on all draws, which
`mist_nb.estimate.MIXED_FACTORS` must match (tests/test_uncertainty.py checks it).
"""
import argparse, json, math, pickle, time
from pathlib import Path

import numpy as np
from scipy import special, stats

from mist_nb.core import atomic_write_text, atomic_write_bytes, data_dir
from mist_nb.estimate import mixed_knn_mi, mixed_se, mixed_bucket, MIXED_SLACK, MIXED_RPL_EDGES

LEVELS = (0.5, 0.8, 0.9, 0.95)
NS = (50, 100, 200, 500, 1000, 2000, 5000)


def classes_family(r: np.random.Generator, max_k: int = 30, truth_rows: int = 60_000):
    "A random class-conditional Gaussian family with 2 to `max_k` classes: (description, MC truth, its s.e., draw(gen, n) -> (labels, y))."
    K, d = int(round(np.exp(r.uniform(np.log(2), np.log(max_k + 0.5))))), int(r.choice([1, 1, 2, 2, 3, 4, 6, 8]))   # K log-uniform in 2..max_k; d <= 2 in half the draws
    sep = float(np.exp(r.uniform(np.log(0.1), np.log(5))))
    p = r.dirichlet(np.ones(K) * r.choice([0.5, 2, 10]))
    kind = str(r.choice(['loc', 'loc', 'scale', 'both']))          # classes that differ in location: the common case, half the draws
    mu = sep * r.standard_normal((K, d)) if kind != 'scale' else np.zeros((K, d))
    sc = np.exp(sep * 0.5 * r.standard_normal((K, d))) if kind != 'loc' else np.ones((K, d))
    def draw(g, n):
        c = g.choice(K, n, p=p)
        return c, mu[c] + sc[c] * g.standard_normal((n, d))
    c, y = draw(r, truth_rows)
    lp = np.stack([stats.norm.logpdf(y, mu[k], sc[k]).sum(1) for k in range(K)], 1)
    pm = lp[np.arange(truth_rows), c] - special.logsumexp(lp + np.log(p), 1)          # pointwise MI log p(y|c) - log p(y)
    return dict(K=K, d=d, sep=sep, kind=kind), float(pm.mean()), float(pm.std() / np.sqrt(truth_rows)), draw


def one_draw(i: int, seed: int) -> dict:
    "Draw i: the family, a sample of n >= 10 K rows, the mixed estimate and its standard error on normal scores."
    r = np.random.default_rng([seed, i])
    n = int(r.choice(NS))                                       # every n equally often; then up to n / 10 classes (at most 100)
    meta, truth, truth_se, draw = classes_family(r, max_k=min(100, n // 10))
    c, y = draw(r, n)
    z = special.ndtri((stats.rankdata(y, axis=0, method='ordinal') - 0.5) / n)        # as MIST does: normal scores of the ranks
    return dict(meta, i=i, n=n, labels=len(np.unique(c)), truth=truth, truth_se=truth_se, m=mixed_knn_mi(c, z), se=mixed_se(c, z, seed=i))


def buckets(rows: list) -> np.ndarray:
    "The bucket of each draw: its rows per label (n over the labels seen) against MIXED_RPL_EDGES."
    return np.array([mixed_bucket(r['n'] / r['labels']) for r in rows])


def fit(rows: list) -> dict:
    "Per bucket of rows per label and level: (q_up, q_dn for d <= 2, q_dn for d >= 3), the (1 + level)/2 quantiles of the normalised one-sided errors."
    m, t, d = (np.array([r[k] for r in rows], dtype=float) for k in ('m', 'truth', 'd'))
    s, bk = np.array([r['se'] for r in rows]) + MIXED_SLACK, buckets(rows)
    q = lambda v, L: float(np.quantile(v, (1 + L) / 2)) if len(v) else math.nan   # nan: no draw in that bucket (a tiny run)
    out = {}
    for b in range(len(MIXED_RPL_EDGES) + 1):
        sel, low = bk == b, d <= 2
        out[b] = {L: (q(((t - m) / s)[sel & low], L), q(((m - t) / s)[sel & low], L), q(((m - t) / s)[sel & ~low], L)) for L in LEVELS}
    return out


def coverage(rows: list, factors: dict) -> dict:
    "On `rows`: per level, coverage of the full interval for d <= 2 and of the lower end alone for d >= 3."
    m, t, d, se = (np.array([r[k] for r in rows], dtype=float) for k in ('m', 'truth', 'd', 'se'))
    s, low, bk, out = se + MIXED_SLACK, d <= 2, buckets(rows), {}
    small = bk == 0
    for L in LEVELS:
        f = lambda j: np.array([factors[b][L][j] for b in bk])
        lo, hi = np.maximum(0, m - np.where(low, f(1), np.maximum(f(2), 0)) * s), m + f(0) * s
        cov = (lo <= t) & (t <= hi)
        out[L] = dict(cover_d_le_2=float(cov[low].mean()), cover_d_le_2_few_rows=float(cov[low & small].mean()),
                      lower_holds_d_ge_3=float((lo <= t)[~low].mean()), median_width_d_le_2=float(np.median((hi - lo)[low])))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--draws', type=int, default=1200)
    p.add_argument('--seed', type=int, default=2027)
    p.add_argument('--save-draws', default='runs/mixed_calibration.pkl')
    p.add_argument('--from-draws', default=None)
    p.add_argument('--out', default=str(data_dir() / 'results' / 'mixed_calibration.json'))
    a = p.parse_args()
    t0 = time.time()
    if a.from_draws: rows = pickle.loads(Path(a.from_draws).read_bytes())
    else:
        rows = []
        for i in range(a.draws):
            rows.append(one_draw(i, a.seed))
            if (i + 1) % 100 == 0: print(f"{i + 1} draws, {time.time() - t0:.0f} s", flush=True)
        if a.save_draws: atomic_write_bytes(pickle.dumps(rows), a.save_draws)
    assert max(r['truth_se'] for r in rows) <= 0.01, 'a Monte-Carlo truth is noisier than 0.01 nats'
    split = fit([r for r in rows if r['i'] % 2 == 0]), [r for r in rows if r['i'] % 2 == 1]
    held = coverage(split[1], split[0])
    rng, splits = np.random.default_rng(a.seed), []                   # the same over 20 seeded random halves
    for _ in range(20):
        idx = rng.permutation(len(rows)); h = len(rows) // 2
        splits.append([c['cover_d_le_2'] for c in coverage([rows[i] for i in idx[h:]], fit([rows[i] for i in idx[:h]])).values()])
    splits = dict(zip(map(str, LEVELS), np.round(np.mean(splits, 0), 3).tolist()))
    factors = fit(rows)
    print(f"{len(rows)} draws ({sum(r['d'] <= 2 for r in rows)} with d <= 2); fitted on the even draws, measured on the odd:")
    for L, c in held.items():
        print(f"  {L:.0%}: d <= 2 coverage {c['cover_d_le_2']:.3f} (under {MIXED_RPL_EDGES[0]} rows a label: {c['cover_d_le_2_few_rows']:.3f}; median width "
              f"{c['median_width_d_le_2']:.3f} nats); d >= 3 lower end below the truth in {c['lower_holds_d_ge_3']:.3f}")
    print(f"  over 20 random halves, d <= 2 coverage at {', '.join(f'{float(L):.0%}' for L in splits)}: {', '.join(f'{v:.3f}' for v in splits.values())}")
    table = lambda b: '{' + ', '.join(f"{L}: ({qu:.2f}, {ql:.2f}, {qh:.2f})" for L, (qu, ql, qh) in factors[b].items()) + '}'
    print("MIXED_FACTORS = (" + ',\n                 '.join(table(b) for b in sorted(factors)) + ")")
    atomic_write_text(json.dumps(dict(
        slack=MIXED_SLACK, rows_per_label_edges=list(MIXED_RPL_EDGES),
        factors=[{str(L): [round(v, 2) for v in f] for L, f in factors[b].items()} for b in sorted(factors)],
        draws_per_bucket=[int((buckets(rows) == b).sum()) for b in sorted(factors)],
        held_out_half=({str(L): c for L, c in held.items()}), random_halves_cover_d_le_2=splits, draws=len(rows), seed=a.seed,
        family='class-conditional Gaussians: n 50-5000 (each equally often), K log-uniform in 2..min(100, n/10), d 1-8 (1 or 2 in half the draws, else 3, 4, 6 or 8), location (half the draws) / scale / both, separation 0.1-5 log-uniform',
        seconds=round(time.time() - t0, 1)), indent=1) + '\n', a.out)
    print(f"wrote {a.out}")


if __name__ == '__main__':
    main()
