#!/usr/bin/env python3
"""Fit the conformal calibration of a quantile model and store it beside the checkpoint.

    python scripts/calibrate.py                       # the shipped mist-qr -> data/checkpoints/mist-qr.calibration.json
    python scripts/calibrate.py --model path/to/model.pt --shapes 24 --per-shape 32
    python scripts/calibrate.py --save-draws runs/calibration/mist-qr.pkl   # also keep the draws (outputs, truths)
    python scripts/calibrate.py --from-draws runs/calibration/mist-qr.pkl   # refit from kept draws (seconds, no network passes)

Datasets are drawn (`calibration_mix`) from the broad training meta-distribution (`training_spec()`) with a seed stream
that training never uses, and - a third of each bucket - from `calibration_spec()`, channels the network was never
trained on; neither contains a held-out family. They are drawn per bucket of sample size and total dimension,
including a bucket of samples larger than one pass (n = 2,001-20,000, estimated by averaging row subsets);
`fit_calibration` stores the normalised CQR factor per bucket and nominal level. Coverage is measured by
scripts/benchmark.py on grids the calibration never saw.
"""
import argparse, json, pickle, time
from pathlib import Path


from mist_nb.estimate import MIST, calibration_mix, fit_calibration, resolve_checkpoint, CALIBRATION_MIX
from mist_nb.core import atomic_write_text, atomic_write_bytes


def settings(a) -> dict:
    "The draw settings a kept draws file must match."
    return {k: getattr(a, k) for k in ('shapes', 'per_shape', 'large_shapes', 'large_per_shape', 'seed', 'off_seed')}


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
    a = p.parse_args()
    path = resolve_checkpoint(a.model)
    est = MIST.load(path)
    if not est.is_quantile: raise SystemExit(f"{a.model} is a point model; only quantile models are calibrated")
    t0 = time.time()
    if a.from_draws:
        kept = pickle.loads(Path(a.from_draws).read_bytes())
        if kept.get('model') != est.name or kept.get('settings') != settings(a):
            raise SystemExit(f"{a.from_draws} holds draws of {kept.get('model')} with {kept.get('settings')}, not {est.name} with {settings(a)}")
        draws = kept['draws']
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
    out = path.with_name(path.stem + '.calibration.json')
    atomic_write_text(json.dumps(cal, indent=1), out)
    print(f"wrote {out} in {cal['seconds']} s")
    for k, v in cal['buckets'].items(): print(f"{k:12s} n={cal['counts'][k]:5d}  Q(0.9)={v['0.9']:+.3f}  Q(0.5)={v['0.5']:+.3f}")


if __name__ == '__main__':
    main()
