#!/usr/bin/env python3
"""Could the calibrated 90% intervals be narrower? Cross-validated trials on the kept calibration draws.

    python scripts/calibrate.py --save-draws runs/calibration/mist-qr.pkl     # once: the shipped draws (about 14 min)
    python scripts/calibration_trials.py runs/calibration/mist-qr.pkl         # seconds
    python scripts/calibrate.py --save-widening-draws runs/calibration/mist-qr.widenings.pkl   # the second stage's records (about 50 min)
    python scripts/calibration_trials.py --widenings runs/calibration/mist-qr.widenings.pkl    # pooling trials of the second stage

Each bucket's draws (two thirds from the training mix, one third from calibration_spec()) are split in half at random:
the factors are fitted on one half, and coverage and median width are measured on the other, separately for the
training-mix and the off-training draws, and separately for draws whose network median is below or above 0.2 nats.
The rules compared: the asymmetric CQR per bucket with the KSG-disagreement weight lambda at several values (lambda = 1
was shipped before); a Mondrian split by the sign of the KSG-4 gap (KSG above the median or not); a learned scale (least
squares of the log error on log width, its square, the median, the two KSG gaps and the median's place in the raw
interval); and the shipped rule, a Mondrian split by the size of the median (`ESTIMATE_EDGES`). The printed table is
what nbs/04 quotes.

With --widenings the trial is on the second stage's records (`widening_draws`, each draw's final interval with the
fitted factors and with the conformal ends at the median): could its upper-end tables, fitted on about 140 draws per
bucket and bin of the median, be steadied by pooling each cell with its neighbours? Over 20 random halvings of the
records, fitted on one half, measured on the other: the upper end's coverage (target 1 - (1 - level) / 2), the mean
distance of each cell's coverage from it (cells with at least 20 test draws; the test half's own noise, about 0.026 at
90%, is a floor), the median finite distance from the median to the upper end, and the share of open upper ends.
"""
import math, pickle, sys
from pathlib import Path

import numpy as np

from mist_nb.estimate import (MIST, conformal_widths, WIDTH_FLOOR, ESTIMATE_EDGES, ESTIMATE_MIN_DRAWS, LEVELS, N_EDGES, D_EDGES,
                              estimate_bin, widened_scores)

LEVEL = 0.9


def factor(scores, side=1 - (1 - LEVEL) / 2) -> float:
    m = len(scores); return float(np.sort(scores)[min(m, int(math.ceil(side * (m + 1)))) - 1])


def cqr(c, t, A, B, lam=1.0):
    mid, lo, hi, ksg = c.T
    w_lo, w_hi = conformal_widths(mid, lo, hi, ksg, lam)
    q_lo, q_hi = factor(((lo - t) / w_lo)[A]), factor(((t - hi) / w_hi)[A])
    return np.maximum(0, lo[B] - q_lo * w_lo[B]), hi[B] + q_hi * w_hi[B]


def mondrian(c, t, A, B, lam=1.0):
    mid, lo, hi, ksg = c.T
    group = np.nan_to_num(ksg - mid) > 0
    out_lo, out_hi = np.empty(len(B)), np.empty(len(B))
    for g in (False, True):
        a = A[group[A] == g] if (group[A] == g).sum() >= 30 else A
        lo_g, hi_g = cqr(c, t, a, B, lam)
        out_lo[group[B] == g], out_hi[group[B] == g] = lo_g[group[B] == g], hi_g[group[B] == g]
    return out_lo, out_hi


def by_estimate(c, t, A, B, lam=1.0, edges=ESTIMATE_EDGES, least=ESTIMATE_MIN_DRAWS // 2):
    "Mondrian by the size of the network's median: a separate factor per bin of `edges` (nats), the whole bucket's where a bin has few draws."
    group = np.digitize(c[:, 0], edges)
    out_lo, out_hi = cqr(c, t, A, B, lam)
    for g in range(len(edges) + 1):
        a = A[group[A] == g]
        if len(a) >= least:
            lo_g, hi_g = cqr(c, t, a, B, lam)
            out_lo[group[B] == g], out_hi[group[B] == g] = lo_g[group[B] == g], hi_g[group[B] == g]
    return out_lo, out_hi


def learned(c, t, A, B):
    mid, lo, hi, ksg = c.T
    w, gap = hi - lo + WIDTH_FLOOR, np.nan_to_num(ksg - mid)
    X = np.c_[np.ones_like(w), np.log(w), np.log(w) ** 2, mid, np.clip(gap, 0, None), np.clip(-gap, 0, None), (mid - lo) / w]
    fit, rest = A[: len(A) // 2], A[len(A) // 2:]
    scale = [np.exp(X @ np.linalg.lstsq(X[fit], np.log(np.clip(e, 0, None) + 0.02)[fit], rcond=None)[0]) for e in (lo - t, t - hi)]
    q_lo, q_hi = factor(((lo - t) / scale[0])[rest]), factor(((t - hi) / scale[1])[rest])
    return np.maximum(0, lo[B] - q_lo * scale[0][B]), hi[B] + q_hi * scale[1][B]


def main(path):
    kept = pickle.loads(Path(path).read_bytes())
    est = MIST.load(kept['model'])
    st = kept['settings']
    rows = []
    for k, (outs, t) in kept['draws'].items():
        train = st['large_shapes'] * st['large_per_shape'] if k.startswith('n2001') else st['shapes'] * st['per_shape']
        off = np.arange(len(t)) >= train                       # merge_draws puts the training-mix draws first
        rows.append((np.array([est._combine(o, LEVEL) for o in outs]), t, off))
    rules = {f'CQR, lambda = {lam:g}' + (' (before)' if lam == 1 else ''): (lambda c, t, A, B, lam=lam: cqr(c, t, A, B, lam)) for lam in (0, 1, 4)}
    rules.update({'Mondrian by the KSG-4 gap': mondrian, 'learned scale': learned, 'Mondrian by the estimate (shipped)': by_estimate})
    print(f"{'rule':34s} | coverage: training mix, off-training (lowest bucket) | median width: training mix, off-training")
    for name, rule in rules.items():
        res, by = [], []
        for i, (c, t, off) in enumerate(rows):
            perm = np.random.default_rng(i).permutation(len(t)); A, B = perm[: len(t) // 2], perm[len(t) // 2:]
            lo, hi = rule(c, t, A, B)
            hit, w = (lo <= t[B]) & (t[B] <= hi), np.minimum(hi - lo, 20)
            res.append((hit[~off[B]].mean(), hit[off[B]].mean(), np.median(w[~off[B]]), np.median(w[off[B]])))
            low = c[B, 0] < 0.2
            by.append((hit[low].sum(), low.sum(), hit[~low].sum(), (~low).sum(), w[low].mean(), w[~low].mean()))
        r, b = np.array(res), np.array(by)
        print(f"{name:34s} | {r[:, 0].mean():.3f} ({r[:, 0].min():.2f}), {r[:, 1].mean():.3f} ({r[:, 1].min():.2f}) | "
              f"{np.median(r[:, 2]):.2f}, {np.median(r[:, 3]):.2f} | median < 0.2 / >= 0.2 nats: coverage "
              f"{b[:, 0].sum() / b[:, 1].sum():.3f} / {b[:, 2].sum() / b[:, 3].sum():.3f}, mean width {np.average(b[:, 4], weights=b[:, 1]):.2f} / {np.average(b[:, 5], weights=b[:, 3]):.2f}")


def second_stage_quantile(s, L) -> float:
    "`_widened_tables`' factor: the split-conformal quantile of scores `s` at 1 - (1 - L) / 2, at least -1, the largest finite score where it is +inf."
    s = np.sort(s); m = len(s)
    if m == 0: return 0.0
    v, fin = s[min(m, int(math.ceil((1 - (1 - L) / 2) * (m + 1)))) - 1], s[np.isfinite(s)]
    return float(max(v, -1.0) if v < math.inf else (fin.max() if len(fin) else 0.0))


def widening_trials(path, levels=(0.8, 0.9, 0.95), splits=20, lam=1.0):
    "Pooling trials of the second stage's upper-end tables on kept `widening_draws` records (see the module's docstring)."
    recs = pickle.loads(Path(path).read_bytes())['records']
    ni, nj = len(N_EDGES) - 1, len(D_EDGES) - 1
    where = {f"n{N_EDGES[i]}-d{D_EDGES[j]}": (i, j) for i in range(ni) for j in range(nj)}
    rs = [(k, r) for k, v in recs.items() for r in v]
    I, J = (np.array([where[k][a] for k, _ in rs]) for a in (0, 1))
    B = np.array([int(estimate_bin(r['mid'])) if math.isfinite(r['mid']) else -1 for _, r in rs])
    N, MID = np.array([r['n'] for _, r in rs]), np.array([r['mid'] for _, r in rs])
    big = I == ni - 1                                       # beyond one pass: its own cells, never pooled with the others
    def end(r, j):                                          # (raw upper end, its conformal scale, the widenings' upper end)
        if r['inputs'][j] is None: return math.nan, math.nan, math.nan
        mid, lo, hi, ksg = r['inputs'][j]; bare = r['bare'][j][1]
        return hi, float(conformal_widths(mid, lo, hi, ksg, lam)[1]), math.inf if bare is None else bare
    rules = {'a cell per bucket and bin (shipped)': (0, 0), 'the bucket, both bins': None,
             'pooled with the neighbouring n buckets': (1, 0), 'pooled with the neighbouring n and d buckets': (1, 1)}
    rng = np.random.default_rng(0)
    print(f"{len(rs)} records; {'rule':46s} | upper-end coverage, mean |cell - target|, median (upper - median), open")
    for L in levels:
        j = list(LEVELS).index(L)
        S = np.array([widened_scores(r, j, lam)[1] for _, r in rs]); H = np.array([end(r, j) for _, r in rs])
        target, res = 1 - (1 - L) / 2, {name: [] for name in rules}
        for _ in range(splits):
            half = rng.random(len(rs)) < 0.5
            for fit, test in ((half, ~half), (~half, half)):
                for name, pool in rules.items():
                    q = np.zeros(len(rs))
                    for i in range(ni):
                        for jj in range(nj):
                            for b in (0, 1):
                                if pool is None: sel = fit & (I == i) & (J == jj)
                                else:
                                    sel = fit & (abs(I - i) <= pool[0]) & (abs(J - jj) <= pool[1]) & (B == b) & (big == (i == ni - 1))
                                    if sel.sum() < ESTIMATE_MIN_DRAWS: sel = fit & (abs(I - i) <= pool[0]) & (abs(J - jj) <= pool[1]) & (big == (i == ni - 1))
                                q[(I == i) & (J == jj) & (np.maximum(B, 0) == b)] = second_stage_quantile(S[sel], L)
                    hit = S <= q + 1e-12
                    up = np.where(np.isfinite(H[:, 0]), np.maximum(H[:, 0] + q * H[:, 1], H[:, 2]), np.nan)
                    up = np.where(up > np.log(np.maximum(N, 2)), np.inf, up) - MID
                    cells = [hit[test & (I == i) & (J == jj) & (np.maximum(B, 0) == b)] for i in range(ni) for jj in range(nj) for b in (0, 1)]
                    finite = up[test][np.isfinite(up[test])]
                    res[name].append((hit[test].mean(), np.mean([abs(c.mean() - target) for c in cells if len(c) >= 20]),
                                      np.median(finite), np.mean(~np.isfinite(up[test]))))
        print(f"level {L:g} (upper end's target {target:.3f})")
        for name, v in res.items():
            v = np.array(v).mean(0)
            print(f"  {name:46s} | {v[0]:.3f}  {v[1]:.3f}  {v[2]:.3f}  {v[3]:.3f}")


if __name__ == '__main__':
    if '--widenings' in sys.argv: widening_trials(sys.argv[sys.argv.index('--widenings') + 1])
    else: main(sys.argv[1] if len(sys.argv) > 1 else 'runs/calibration/mist-qr.pkl')
