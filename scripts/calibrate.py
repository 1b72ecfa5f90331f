#!/usr/bin/env python3
"""Fit the conformal calibration of a quantile model and store it beside the checkpoint.

    python scripts/calibrate.py                       # the shipped mist-qr -> data/checkpoints/mist-qr.calibration.json
    python scripts/calibrate.py --model path/to/model.pt --shapes 24 --per-shape 32
    python scripts/calibrate.py --save-draws runs/calibration/mist-qr.pkl   # also keep the draws (outputs, truths)
    python scripts/calibrate.py --from-draws runs/calibration/mist-qr.pkl   # refit from kept draws (seconds, no network passes)
    python scripts/calibrate.py --save-widening-draws runs/calibration/w.pkl    # keep the second stage's records too
    python scripts/calibrate.py --no-widenings                                   # the first stage only (raw intervals)

Datasets are drawn (`calibration_mix`) from the broad training meta-distribution (`training_spec()`) with a seed stream
that training never uses, and - a third of each bucket - from `calibration_spec()`, channels the network was never
trained on; neither contains a held-out family. They are drawn per bucket of sample size and total dimension,
including a bucket of samples larger than one pass (n = 2,001-20,000, estimated by averaging row subsets);
`fit_calibration` stores the normalised CQR factor per bucket and nominal level (the first stage). The second stage
(`widening_draws`, `fit_after_widenings`) runs the whole estimator on fewer draws of the same mix, with those factors and
with the conformal ends at the median, and refits every per-end table so that the final interval - after the KSG floor,
caps, tests and checks that widen it - covers at the nominal level. Coverage is measured by scripts/benchmark.py on
grids the calibration never saw.
"""
import argparse, json, pickle, time
from pathlib import Path


from mist_nb.estimate import (MIST, calibration_mix, fit_calibration, resolve_checkpoint, CALIBRATION_MIX, widening_draws,
                              fit_after_widenings)
from mist_nb.core import atomic_write_text, atomic_write_bytes


def settings(a) -> dict:
    "The draw settings a kept draws file must match."
    return {k: getattr(a, k) for k in ('shapes', 'per_shape', 'large_shapes', 'large_per_shape', 'seed', 'off_seed')}


def widening_settings(a) -> dict:
    "The settings a kept second-stage records file must match (the first stage's too: the records depend on its factors)."
    return {**settings(a), 'widening_per_shape': a.widening_per_shape, 'widening_large_per_shape': a.widening_large_per_shape}


def load_kept(path, est, want: dict, key: str):
    "The `key` entry of a pickle written by this script, after checking it holds `est`'s draws with settings `want`."
    kept = pickle.loads(Path(path).read_bytes())
    if kept.get('model') != est.name or kept.get('settings') != want:
        raise SystemExit(f"{path} holds draws of {kept.get('model')} with {kept.get('settings')}, not {est.name} with {want}")
    return kept[key]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='mist-qr')
    p.add_argument('--shapes', type=int, default=24, help='random (n, dx, dy) shapes per bucket')
    p.add_argument('--per-shape', type=int, default=32, help='datasets per shape')
    p.add_argument('--large-shapes', type=int, default=16, help='shapes in each large-sample bucket')
    p.add_argument('--large-per-shape', type=int, default=8, help='datasets per large-sample shape')
    p.add_argument('--seed', type=int, default=7, help='seed of the training-mix draws')
    p.add_argument('--off-seed', type=int, default=11, help='seed of the off-training draws (calibration_spec)')
    p.add_argument('--save-draws', default=None, help='also pickle the draws {bucket: (outputs, truths)} here')
    p.add_argument('--from-draws', default=None, help='refit from draws pickled by --save-draws instead of drawing')
    p.add_argument('--no-widenings', action='store_true', help='stop after the first stage (factors for the raw intervals)')
    p.add_argument('--widening-per-shape', type=int, default=8, help='second stage: datasets per shape (each runs the whole estimator twice)')
    p.add_argument('--widening-large-per-shape', type=int, default=4, help='second stage: datasets per large-sample shape')
    p.add_argument('--save-widening-draws', default=None, help='also pickle the second stage records here')
    p.add_argument('--from-widening-draws', default=None, help='refit the second stage from records pickled by --save-widening-draws')
    p.add_argument('--widen-ends', nargs='+', default=['upper'], choices=['lower', 'upper'],
                   help='the ends the second stage refits (default: the upper one; the lower keeps the first stage)')
    p.add_argument('--out', default=None, help='write the calibration here instead of beside the checkpoint')
    a = p.parse_args()
    path = resolve_checkpoint(a.model)
    est = MIST.load(path)
    if not est.is_quantile: raise SystemExit(f"{a.model} is a point model; only quantile models are calibrated")
    t0 = time.time()
    if a.from_draws: draws = load_kept(a.from_draws, est, settings(a), 'draws')
    else:
        draws = calibration_mix(est, a.shapes, a.per_shape, seed=a.seed, large_shapes=a.large_shapes, large_per_shape=a.large_per_shape,
                                off_seed=a.off_seed)
    if a.save_draws:
        Path(a.save_draws).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(pickle.dumps(dict(model=est.name, settings=settings(a), draws=draws)), Path(a.save_draws))
    cal = fit_calibration(est, draws, spec=CALIBRATION_MIX)
    cal.update(seed=a.seed, off_seed=a.off_seed, shapes_per_bucket=a.shapes, per_shape=a.per_shape, large_shapes=a.large_shapes,
               large_per_shape=a.large_per_shape, seconds=round(time.time() - t0, 1),
               draws='training_spec() with seed stream seed_int(seed, "calibration") (never used in training), and a third from calibration_spec() '
                     '(never trained on) with seed off_seed; no held-out family')
    if not a.no_widenings:
        t1 = time.time()
        est.calibration = cal                                   # the second stage's records are taken with the first stage's factors
        if a.from_widening_draws: recs = load_kept(a.from_widening_draws, est, widening_settings(a), 'records')
        else:
            recs = widening_draws(est, a.shapes, a.widening_per_shape, a.seed, a.large_shapes, a.widening_large_per_shape, a.off_seed, progress=True)
        if a.save_widening_draws:
            Path(a.save_widening_draws).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(pickle.dumps(dict(model=est.name, settings=widening_settings(a), records=recs)), Path(a.save_widening_draws))
        cal = fit_after_widenings(est, recs, ends=a.widen_ends)
        cal['widenings'].update(per_shape=a.widening_per_shape, large_per_shape=a.widening_large_per_shape, seconds=round(time.time() - t1, 1))
        cal['seconds'] = round(time.time() - t0, 1)
    out = Path(a.out) if a.out else path.with_name(path.stem + '.calibration.json')
    atomic_write_text(json.dumps(cal, indent=1), out)
    print(f"wrote {out} in {cal['seconds']} s")
    first = cal.get('first_stage', cal['sides'])
    print('bucket      draws (1st, 2nd stage)  Q_lo(0.9)  Q_hi(0.9)' + ('   first stage: Q_lo  Q_hi' if 'first_stage' in cal else ''))
    for k, v in cal['sides']['upper'].items():
        print(f"{k:12s} {cal['counts'][k]:6d} {cal.get('widenings', {}).get('counts', {}).get(k, 0):6d}         {cal['sides']['lower'][k]['0.9']:+9.3f}  {v['0.9']:+9.3f}"
              + (f"   {first['lower'][k]['0.9']:+9.3f} {first['upper'][k]['0.9']:+9.3f}" if 'first_stage' in cal else ''))
    if 'widenings' in cal:
        w = cal['widenings']
        for L in ('0.5', '0.8', '0.9', '0.95'):
            print(f"level {L}: on the second stage's draws the first stage's final intervals covered {w['coverage_first_stage'][L]:.3f}, "
                  f"the widenings alone {w['coverage_widenings_alone'][L]:.3f}")


if __name__ == '__main__':
    main()
