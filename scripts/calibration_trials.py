#!/usr/bin/env python3
"""Could the calibrated 90% intervals be narrower? Cross-validated trials on the kept calibration draws.

    python scripts/calibrate.py --save-draws runs/calibration/mist-qr.pkl     # once: the shipped draws (about 14 min)
    python scripts/calibration_trials.py runs/calibration/mist-qr.pkl         # seconds

Each bucket's draws (two thirds from the training mix, one third from calibration_spec()) are split in half at random:
the factors are fitted on one half, and coverage and median width are measured on the other, separately for the
training-mix and the off-training draws. The rules compared: the shipped asymmetric CQR with the KSG-disagreement
weight lambda at several values; a Mondrian split by the sign of the KSG-4 gap (KSG above the median or not); and a
learned scale (least squares of the log error on log width, its square, the median, the two KSG gaps and the median's
place in the raw interval). The printed table is what nbs/04 quotes.
"""
import math, pickle, sys
from pathlib import Path

import numpy as np

from mist_nb.estimate import MIST, conformal_widths, WIDTH_FLOOR

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
    rules = {f'CQR, lambda = {lam:g}' + (' (shipped)' if lam == 1 else ''): (lambda c, t, A, B, lam=lam: cqr(c, t, A, B, lam)) for lam in (0, 1, 4)}
    rules.update({'Mondrian by the KSG-4 gap': mondrian, 'learned scale': learned})
    print(f"{'rule':28s} | coverage: training mix, off-training (lowest bucket) | median width: training mix, off-training")
    for name, rule in rules.items():
        res = []
        for i, (c, t, off) in enumerate(rows):
            perm = np.random.default_rng(i).permutation(len(t)); A, B = perm[: len(t) // 2], perm[len(t) // 2:]
            lo, hi = rule(c, t, A, B)
            hit, w = (lo <= t[B]) & (t[B] <= hi), np.minimum(hi - lo, 20)
            res.append((hit[~off[B]].mean(), hit[off[B]].mean(), np.median(w[~off[B]]), np.median(w[off[B]])))
        r = np.array(res)
        print(f"{name:28s} | {r[:, 0].mean():.3f} ({r[:, 0].min():.2f}), {r[:, 1].mean():.3f} ({r[:, 1].min():.2f}) | "
              f"{np.median(r[:, 2]):.2f}, {np.median(r[:, 3]):.2f}")


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'runs/calibration/mist-qr.pkl')
