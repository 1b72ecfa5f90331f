#!/usr/bin/env python3
"""Accuracy of the shipped models on the IMD/OoMD test grids, beside the paper's M_test table and KSG/CCA.

    python scripts/accuracy.py            # writes data/results/accuracy.json and prints the tables

Every cell of data/grids/{imd,oomd}.json is regenerated from its seed; MIST-QR (median), MIST (MSE model),
KSG (k=5) and CCA run on the very same samples. Errors are MSE (nats^2) and MAE (nats) per the paper's n ranges.
CCA needs n > d_x + d_y; on smaller samples it is run with a 1e-3 ridge (noted in the output).
"""
import json, math, time
from pathlib import Path

import numpy as np

from mist_nb.estimate import MIST
from mist_nb.baselines import KSG, CCA
from mist_nb.sampling import load_grid, Task
from mist_nb.train import N_RANGES, n_range_label, atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
PAPER = {  # MSE in nats^2 as published for M_test (metric unlabelled in the reference; most likely MSE)
    'imd': {'MIST': (3.1, 0.34, 0.28), 'MIST-QR': (3.1, 0.31, 0.12)},
    'oomd': {'MIST': (8.0, 7.3, 8.8), 'MIST-QR': (9.5, 9.9, 10.0)}}
TARGET = {'imd': (1.5, 0.15, 0.06), 'oomd': (1.0, 1.0, 1.0)}


def predictions(split: str, qr: MIST, point: MIST) -> list:
    "One record per grid cell: truth and every estimator's estimate (nats) on the same sample."
    ksg, cca, cca_ridge = KSG(k=5), CCA(), CCA(ridge=1e-3)
    rows = []
    for c in load_grid(split):
        x, y = Task.from_dict(c['task']).sample(c['n'], c['seed'])
        small = c['n'] <= x.shape[1] + y.shape[1] + 1
        rows.append(dict(family=c['family'], n=c['n'], dim_x=c['dim_x'], dim_y=c['dim_y'], truth=c['mi'],
                         **{'MIST-QR': qr.estimate(x, y), 'MIST': point.estimate(x, y), 'KSG-5': ksg.estimate(x, y),
                            'CCA': (cca_ridge if small else cca).estimate(x, y)}, cca_ridge=small))
    return rows


def summarise(rows: list, methods=('MIST-QR', 'MIST', 'KSG-5', 'CCA')) -> dict:
    "MSE and MAE per n range and method."
    out = {}
    for lo, hi in N_RANGES:
        sel = [r for r in rows if lo <= r['n'] <= hi]
        out[f"{lo}-{hi}"] = {m: dict(mse=float(np.mean([(r[m] - r['truth']) ** 2 for r in sel])),
                                     mae=float(np.mean([abs(r[m] - r['truth']) for r in sel])), count=len(sel)) for m in methods}
    return out


def by_family(rows: list, method='MIST-QR') -> dict:
    fams = sorted({r['family'] for r in rows})
    return {f: float(np.mean([(r[method] - r['truth']) ** 2 for r in rows if r['family'] == f])) for f in fams}


def main():
    t0 = time.time()
    qr, point = MIST.load('mist-qr'), MIST.load('mist')
    res = dict(units='nats', paper=PAPER, target=TARGET, models={m.name: m.card.get('datasets_seen') for m in (qr, point)})
    for split in ('imd', 'oomd'):
        rows = predictions(split, qr, point)
        res[split] = dict(summary=summarise(rows), mse_by_family_mist_qr=by_family(rows), cca_ridge_cells=sum(r['cca_ridge'] for r in rows),
                          cells=rows)
    res['seconds'] = round(time.time() - t0, 1)
    out = ROOT / 'data' / 'results' / 'accuracy.json'
    atomic_write_text(json.dumps(res, indent=1), out)
    for split in ('imd', 'oomd'):
        s = res[split]['summary']
        print(f"\n{split.upper()} grid: MSE in nats^2 (MAE in nats) by n range")
        print(f"{'':22s}" + ''.join(f"{k:>22s}" for k in s))
        for m in ('MIST-QR', 'MIST', 'KSG-5', 'CCA'):
            print(f"{'ours ' + m:22s}" + ''.join(f"{s[k][m]['mse']:12.3f} ({s[k][m]['mae']:.3f})" for k in s))
        for m, v in PAPER[split].items(): print(f"{'paper ' + m:22s}" + ''.join(f"{u:12.2f}{'':10s}" for u in v))
        print(f"{'target MIST-QR':22s}" + ''.join(f"{u:12.2f}{'':10s}" for u in TARGET[split]))
        print('MSE by family (MIST-QR):', {k: round(v, 3) for k, v in res[split]['mse_by_family_mist_qr'].items()})
    print(f"\nwrote {out} ({res['seconds']} s)")


if __name__ == '__main__':
    main()
