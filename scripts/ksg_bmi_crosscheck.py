#!/usr/bin/env python3
"""Cross-check mist_nb's KSG estimator against bmi's (benchmark-mi 0.1.3) on the very same samples.

bmi is never a dependency of mist-nb: it pins numpy<2 and an old JAX, and its venv has no torch. Run the
`dump` step inside an isolated venv that has bmi (see scripts/bmi_crosscheck.py for how to make one), and
the `compare` step in mist-nb's own environment:

    /tmp/bmivenv/bin/python scripts/ksg_bmi_crosscheck.py dump      # writes data/grids/ksg_bmi_reference.npz
    python scripts/ksg_bmi_crosscheck.py compare                    # mist_nb.baselines.KSG vs bmi, to 1e-6 nats

`dump` draws, with bmi's own tasks, one sample for each task in TASKS and each n in NS, and records
`KSGEnsembleFirstEstimator(neighborhoods=(k,), standardize=True, metric_x=metric)` for each k in KS and both
marginal metrics (bmi's default 'euclidean', and 'chebyshev'). bmi's samples are float32; the file stores
them as float32 (exactly) and both sides estimate on their float64 values. `compare` runs
`mist_nb.baselines.KSG(k, metric=metric)` on the stored samples and checks that every estimate agrees.
"""
import json, sys, time
from pathlib import Path

import numpy as np

REF = Path(__file__).resolve().parent.parent / 'data' / 'grids' / 'ksg_bmi_reference.npz'
TASKS = ('1v1-normal-0.75', 'half_cube-1v1-normal-0.75', '1v1-additive-0.75', 'student-identity-1-1-1',
         'multinormal-dense-2-2-0.5', 'multinormal-sparse-3-3-2-2.0')
NS, KS, METRICS = (50, 200, 1000), (5, 10), ('euclidean', 'chebyshev')
TOL = 1e-6


def dump(path=REF):
    "Run inside the bmi venv: draw bmi samples and record bmi's KSG estimates on them."
    from bmi.benchmark import BENCHMARK_TASKS
    from bmi.estimators import KSGEnsembleFirstEstimator
    arrays, cases = {}, []
    for ti, tid in enumerate(TASKS):
        task = BENCHMARK_TASKS[tid]
        for n in NS:
            seed = 1000 * ti + n
            x, y = (np.asarray(a, dtype=np.float32) for a in task.sample(n, seed))
            key = f'{ti}_{n}'
            arrays[f'x_{key}'], arrays[f'y_{key}'] = x, y
            for metric in METRICS:
                for k in KS:
                    est = KSGEnsembleFirstEstimator(neighborhoods=(k,), standardize=True, metric_x=metric)
                    t = time.perf_counter()
                    mi = float(est.estimate(x.astype(np.float64), y.astype(np.float64)))
                    secs = time.perf_counter() - t
                    mi32 = float(KSGEnsembleFirstEstimator(neighborhoods=(k,), standardize=True,
                                                           metric_x=metric).estimate(x, y))
                    cases.append(dict(task=tid, n=n, seed=seed, key=key, k=k, metric=metric, mi_bmi=mi,
                                      mi_bmi_float32=mi32, seconds_bmi=secs, true_mi=float(task.mutual_information)))
                    print(f"{tid:32s} n={n:5d} k={k:2d} {metric:9s} {mi:.6f} (float32 input: {mi32:.6f})", flush=True)
    import bmi
    meta = dict(bmi_version=getattr(bmi, '__version__', '0.1.3'), units='nats', tasks=TASKS, ns=NS, ks=KS,
                metrics=METRICS, cases=cases,
                how='/tmp/bmivenv/bin/python scripts/ksg_bmi_crosscheck.py dump')
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(cases)} estimates)")


def load_reference(path=REF):
    "The recorded cases (list of dicts) and the samples {key: (x, y)} as float64."
    with np.load(path) as f:
        meta = json.loads(str(f['meta']))
        samples = {c['key']: (f[f"x_{c['key']}"].astype(np.float64), f[f"y_{c['key']}"].astype(np.float64))
                   for c in meta['cases']}
    return meta['cases'], samples


def compare_cases(path=REF) -> list:
    "Our KSG on every recorded sample: the cases with `mi_ours` and `diff` added."
    from mist_nb.baselines import KSG
    cases, samples = load_reference(path)
    out = []
    for c in cases:
        x, y = samples[c['key']]
        mi = KSG(k=c['k'], metric=c['metric']).estimate(x, y)
        out.append({**c, 'mi_ours': mi, 'diff': abs(mi - c['mi_bmi'])})
    return out


def compare(path=REF, tol=TOL) -> bool:
    "Print a table of our KSG vs bmi's and return whether every estimate agrees to `tol` nats."
    rows = compare_cases(path)
    print(f"{'task':32s} {'n':>5s} {'k':>3s} {'metric':9s} {'bmi':>10s} {'ours':>10s} {'|diff|':>8s} {'f32 diff':>8s}")
    for r in rows:
        print(f"{r['task']:32s} {r['n']:5d} {r['k']:3d} {r['metric']:9s} {r['mi_bmi']:10.6f} {r['mi_ours']:10.6f} "
              f"{r['diff']:8.1e} {abs(r['mi_bmi_float32'] - r['mi_bmi']):8.1e}{'' if r['diff'] < tol else '  MISMATCH'}")
    worst = max(r['diff'] for r in rows)
    ok = worst < tol
    print(f"max |ours - bmi| = {worst:.2e} nats over {len(rows)} estimates: {'agree' if ok else 'DISAGREE'} "
          f"(tolerance {tol:g}); bmi on float32 input differs from float64 input by up to "
          f"{max(abs(r['mi_bmi_float32'] - r['mi_bmi']) for r in rows):.1e}")
    return ok


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'compare'
    if cmd == 'dump': dump()
    elif cmd == 'compare': sys.exit(0 if compare() else 1)
    else: sys.exit(f"unknown command {cmd!r}: use dump or compare")
