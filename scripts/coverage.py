#!/usr/bin/env python3
"""Empirical coverage of MIST-QR's calibrated intervals on the IMD/OoMD grids, against bootstrap-KSG.

    python scripts/coverage.py                 # writes data/results/coverage.json, prints the table
    python scripts/coverage.py --ksg-every 4   # bootstrap-KSG on every 4th cell (50 resamples each)

For nominal levels 50/80/90/95%: the fraction of grid cells whose true MI lies inside the interval, per paper
n range, and the mean/median interval width (nats). MIST's intervals are reported twice: as `estimate_mi`
returns them (upper bound set to inf when it exceeds ln n) and as the conformal interval alone. Percentile-
bootstrap KSG (k=5, 50 resamples, the same samples) runs on every `--ksg-every`-th cell; MIST is also scored on
exactly those cells so the two are compared like for like.
"""
import argparse, json, math, time, warnings
from pathlib import Path

import numpy as np

from mist_nb.estimate import MIST, WIDTH_FLOOR
from mist_nb.baselines import KSG, Bootstrap
from mist_nb.sampling import load_grid, Task
from mist_nb.train import N_RANGES, atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (0.5, 0.8, 0.9, 0.95)


def mist_intervals(est: MIST, x, y, n: int) -> dict:
    "Per level: (lower, upper) as estimate_mi returns it, and the conformal interval before the ln(n) rule."
    raw, d, out = est._raw_output(x, y), x.shape[1] + y.shape[1], {}
    for L in LEVELS:
        a = (1 - L) / 2
        lo, hi = est._quantiles_from(raw, [a, 1 - a])
        Q, w = est._correction(L, n, d), hi - lo + WIDTH_FLOOR
        out[L] = dict(returned=est._interval_from(raw, L, n, d, []), conformal=(max(0.0, lo - Q * w), hi + Q * w))
    return out


def table(records: list, key: str) -> dict:
    "Coverage and widths per level and n range for intervals stored under `key`."
    res = {}
    for L in LEVELS:
        res[str(L)] = {}
        for lo, hi in N_RANGES:
            sel = [r for r in records if lo <= r['n'] <= hi]
            if not sel: continue
            iv = np.array([r[key][str(L)] for r in sel], dtype=float)
            t = np.array([r['truth'] for r in sel])
            w = iv[:, 1] - iv[:, 0]
            res[str(L)][f"{lo}-{hi}"] = dict(coverage=float(np.mean((iv[:, 0] <= t) & (t <= iv[:, 1]))),
                                             mean_width=float(np.mean(w[np.isfinite(w)])) if np.isfinite(w).any() else math.inf,
                                             median_width=float(np.median(w)), open_ended=float(np.mean(~np.isfinite(w))), count=len(sel))
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ksg-every', type=int, default=4)
    p.add_argument('--resamples', type=int, default=50)
    a = p.parse_args()
    t0 = time.time()
    est = MIST.load('mist-qr')
    boot = Bootstrap(KSG(k=5), n_resamples=a.resamples, seed=0)
    res = dict(units='nats', model=est.name, calibration=est.calibration is not None, levels=LEVELS, ksg_every=a.ksg_every,
               resamples=a.resamples)
    for split in ('imd', 'oomd'):
        recs = []
        for i, c in enumerate(load_grid(split)):
            x, y = Task.from_dict(c['task']).sample(c['n'], c['seed'])
            ivs = mist_intervals(est, x, y, c['n'])
            r = dict(i=i, n=c['n'], truth=c['mi'], family=c['family'],
                     returned={str(L): v['returned'] for L, v in ivs.items()}, conformal={str(L): v['conformal'] for L, v in ivs.items()})
            if i % a.ksg_every == 0:
                reps = boot.resample_estimates(x, y)
                r['ksg_boot'] = {str(L): tuple(np.quantile(reps, [(1 - L) / 2, (1 + L) / 2]).tolist()) for L in LEVELS}
            recs.append(r)
        sub = [r for r in recs if 'ksg_boot' in r]
        res[split] = dict(mist_returned=table(recs, 'returned'), mist_conformal=table(recs, 'conformal'),
                          subset=dict(mist_returned=table(sub, 'returned'), mist_conformal=table(sub, 'conformal'), ksg_bootstrap=table(sub, 'ksg_boot')))
        print(f"\n{split.upper()}: coverage (median width, nats) by n range; all {len(recs)} cells for MIST, {len(sub)} for the like-for-like rows")
        for name, tab in (('MIST-QR as returned', res[split]['mist_returned']), ('MIST-QR conformal only', res[split]['mist_conformal']),
                          ('MIST-QR (subset)', res[split]['subset']['mist_returned']), ('bootstrap KSG (subset)', res[split]['subset']['ksg_bootstrap'])):
            for L in LEVELS:
                cells = '  '.join(f"{k}: {v['coverage']:.2f} ({v['median_width']:.2f})" for k, v in tab[str(L)].items())
                print(f"  {name:24s} {L:.0%}  {cells}")
    res['seconds'] = round(time.time() - t0, 1)
    out = ROOT / 'data' / 'results' / 'coverage.json'
    atomic_write_text(json.dumps(res, indent=1), out)
    print(f"\nwrote {out} ({res['seconds']} s)")


if __name__ == '__main__':
    main()
