#!/usr/bin/env python3
"""Cross-check mist_nb's task catalogue against bmi (benchmark-mi 0.1.3) itself.

bmi is never a dependency of mist-nb: it pins numpy<2 and an old JAX. Run the `dump` step inside an
isolated venv that has bmi, and the `compare` step in mist-nb's own environment:

    python3.11 -m venv /tmp/bmivenv
    /tmp/bmivenv/bin/pip install benchmark-mi==0.1.3 "jax==0.4.30" "jaxlib==0.4.30"
    /tmp/bmivenv/bin/python scripts/bmi_crosscheck.py dump      # writes data/grids/bmi_v1_reference.json
    python scripts/bmi_crosscheck.py compare                    # mist_nb vs the recorded bmi values

`dump` records, for each of bmi's 40 v1 tasks: the id, dims, bmi's ground-truth MI (nats) and summaries of
N_POINTS samples: per-coordinate quantiles and Spearman rank correlations among the first coordinates of X
and Y. `compare` draws the same number of samples from `mist_nb.sampling.get_task(id)` and checks that the
MI agrees to 1e-4 nats and that the summaries agree within sampling error (two-sample bounds).
"""
import json, math, sys
from pathlib import Path

import numpy as np

REF = Path(__file__).resolve().parent.parent / 'data' / 'grids' / 'bmi_v1_reference.json'
N_POINTS, SEED, N_COORDS = 20_000, 0, 4
LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


def summaries(x: np.ndarray, y: np.ndarray) -> dict:
    "Per-coordinate quantiles and Spearman correlations among the first N_COORDS coordinates of x and y."
    xy = np.concatenate([x[:, :N_COORDS], y[:, :N_COORDS]], 1).astype(np.float64)
    ranks = xy.argsort(0).argsort(0).astype(np.float64)
    spearman = np.corrcoef(ranks.T)
    return dict(quantiles=np.quantile(xy, LEVELS, axis=0).T.tolist(), spearman=spearman.tolist())


def dump():
    "Run inside the bmi venv: record bmi's MI values and sample summaries."
    from bmi.benchmark import BENCHMARK_TASKS
    import bmi
    out = dict(bmi_version=getattr(bmi, '__version__', '0.1.3'), n_points=N_POINTS, seed=SEED, levels=LEVELS,
               n_coords=N_COORDS, units='nats', tasks={})
    for tid, task in BENCHMARK_TASKS.items():
        x, y = task.sample(N_POINTS, SEED)
        x, y = np.asarray(x), np.asarray(y)
        out['tasks'][tid] = dict(name=task.name, dim_x=task.dim_x, dim_y=task.dim_y,
                                 mutual_information=float(task.mutual_information), **summaries(x, y))
        print(f"{tid:55s} {task.mutual_information:.6f}", flush=True)
    REF.write_text(json.dumps(out, indent=0))
    print(f"wrote {REF}")


def compare_task(tid: str, ref: dict, n_points: int, seed: int = 1) -> dict:
    "Compare mist_nb's task `tid` with bmi's recorded summaries; returns the worst deviations (in units of their bounds)."
    from mist_nb.sampling import get_task
    task = get_task(tid)
    x, y = task.sample(n_points, seed)
    ours = summaries(x, y)
    xy = np.concatenate([x[:, :N_COORDS], y[:, :N_COORDS]], 1)
    # for each bmi quantile, the fraction of our sample below it must match the level (two-sample bound)
    worst_q = 0.0
    for j, qs in enumerate(ref['quantiles']):
        for p, q in zip(LEVELS, qs):
            frac = (xy[:, j] < q).mean()
            worst_q = max(worst_q, abs(frac - p) / math.sqrt(2 * p * (1 - p) / n_points))
    diff = np.abs(np.asarray(ours['spearman']) - np.asarray(ref['spearman']))
    worst_s = float(diff.max() / math.sqrt(2 / n_points))
    return dict(mi_ours=task.mutual_information, mi_bmi=ref['mutual_information'],
                mi_err=abs(task.mutual_information - ref['mutual_information']),
                dims_ok=(task.dim_x, task.dim_y) == (ref['dim_x'], ref['dim_y']),
                quantile_z=worst_q, spearman_z=worst_s)


def compare(path=REF, z_max=5.0) -> bool:
    "Print a table of mist_nb vs bmi and return whether every task agrees."
    ref = json.loads(Path(path).read_text())
    ok = True
    print(f"{'task':55s} {'MI bmi':>9s} {'MI ours':>9s} {'|dMI|':>8s} {'q z':>5s} {'rho z':>5s}")
    for tid, r in ref['tasks'].items():
        c = compare_task(tid, r, ref['n_points'])
        good = c['mi_err'] < 1e-4 and c['dims_ok'] and c['quantile_z'] < z_max and c['spearman_z'] < z_max
        ok &= good
        print(f"{tid:55s} {c['mi_bmi']:9.5f} {c['mi_ours']:9.5f} {c['mi_err']:8.1e} {c['quantile_z']:5.1f} "
              f"{c['spearman_z']:5.1f} {'' if good else 'MISMATCH'}")
    print('all 40 tasks agree with bmi' if ok else 'some tasks disagree with bmi')
    return ok


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'compare'
    if cmd == 'dump': dump()
    elif cmd == 'compare': sys.exit(0 if compare() else 1)
    else: sys.exit(f"unknown command {cmd!r}: use dump or compare")
