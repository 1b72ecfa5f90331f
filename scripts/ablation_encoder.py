#!/usr/bin/env python3
"""Which encoder sees dependence that correlation misses? Three arms, one data stream, one budget each.

    python scripts/ablation_encoder.py --minutes 8      # writes data/results/ablation_encoder.nc and prints the table

Every arm is the shipped quantile architecture warm-started from the same checkpoint (`mist-qr-paper`, the moment-only
model: every tensor that fits is copied, new branches start from zero, so all arms begin as the same function), and
fine-tuned with the same seed, batch shapes and schedule on the broad training mix for the same wall-clock minutes:

- `moments`: the moment branch only (attention across columns on weighted Hermite correlations, Gaussian summaries);
- `neighbours`: plus the neighbour-statistics branch (per-row KSG quantities as row tokens, pooled by attention);
- `cells`: plus the paper's cell-token two-dimensional attention (across columns, then induced across rows);
- `neighbours+ksg-base`: the neighbour branch, with the output offset max(Gaussian-copula MI, KSG-4) instead of the
  Gaussian-copula MI (no longer the same function as the warm start at step 0 where KSG is larger).

Each arm is then run by `run_sweep` on the same grids: the held-out families (never trained on), a sample of the
broad training families, and bmi's tasks. The arm with the lowest held-out MAE is continued by scripts/train_broad.py.
"""
import argparse, json, time
from pathlib import Path

import xarray as xr

from mist_nb.model import MISTConfig, MISTNet, config_from_dict
from mist_nb.train import TrainConfig, train, load_checkpoint, hardware
from mist_nb.estimate import MIST
from mist_nb.evaluate import Grid, run_sweep, accuracy
from mist_nb.sampling import heldout_spec, list_tasks, get_task
from mist_nb.core import data_path

ROOT = Path(__file__).resolve().parent.parent
ARMS = dict(moments=dict(knn=False, ksg_base=False), neighbours=dict(knn=True, ksg_base=False), cells=dict(knn=False, cells=True, ksg_base=False),
            **{'neighbours+ksg-base': dict(knn=True, ksg_base=True)})
BROAD = ('channels-base', 'channels-rotate', 'channels-dup', 'gauss-base', 'mixture-base', 'parabola-base',
         'normal-within-base', 'normal-sparse-base', 'hetero-abs-base', 'radial2-base')


def arm_config(arm: str, seed: int = 77) -> TrainConfig:
    return TrainConfig(model=MISTConfig(quantile=True, **ARMS[arm]).to_dict(), spec='train', seed=seed, steps=4000,
                       batch_size=32, min_batch=8, max_batch=256, n_range=(10, 2000), log_n=True, max_query=128,
                       lr=3e-4, min_lr=3e-5, warmup=50, eval_every=0, checkpoint_every=120.0, log_every=25,
                       init_from=str(data_path('checkpoints', 'mist-qr-paper.pt')))


def _done_steps(run_dir: Path):
    "The step a finished arm stopped at (its summary), so a re-run evaluates it without training it further."
    s = run_dir / 'arm.json'
    return json.loads(s.read_text())['steps'] if s.exists() else None


def grids(quick: bool):
    ns, seeds = ((100, 1000), (0,)) if quick else ((50, 200, 1000), (0, 1))
    tasks = [t for t in list_tasks() if max(get_task(t).dim_x, get_task(t).dim_y) <= 32]
    return dict(heldout=Grid('heldout', [c.name for c in heldout_spec().components], ns, (1, 3), seeds, name='heldout'),
                broad=Grid('train', BROAD, ns, (1, 3), seeds, name='broad'),
                bmi=Grid('bmi', tasks, ns=(100, 500), seeds=(0,), name='bmi'))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--minutes', type=float, default=8.0)
    p.add_argument('--out', default='runs/ablation-encoder')
    p.add_argument('--quick', action='store_true', help='tiny budget and grids (a smoke test)')
    a = p.parse_args()
    out, t0 = Path(a.out), time.time()
    ests, runs = {}, {}
    for arm in ARMS:  # a finished arm resumes at its end and trains no further
        res = train(arm_config(arm), out / arm, minutes=a.minutes, progress=False, stop_after=_done_steps(out / arm))
        ck = load_checkpoint(out / arm / 'checkpoint.pt')
        net = MISTNet(config_from_dict(ck['model_config'])); net.load_state_dict(ck['model'])
        ests[arm], runs[arm] = MIST(net, arm), dict(steps=res['step'], datasets_seen=res['datasets_seen'], minutes=a.minutes)
        (out / arm / 'arm.json').write_text(json.dumps(runs[arm]))
        print(f"[{arm}] {res['step']} steps, {res['datasets_seen']:,} datasets", flush=True)
    parts = []
    for name, g in grids(a.quick).items():
        ds = run_sweep(ests, g, out / f'{name}.nc', n_jobs=1)
        acc = accuracy(ds, by=())
        print(name, {k: round(float(v), 3) for k, v in zip(acc.estimator.values, acc.mae.values)}, flush=True)
        parts.append(acc.expand_dims(grid=[name]))
    res = xr.concat(parts, 'grid')
    res.attrs.update(question='which encoder sees dependence that correlation misses?', hardware=hardware(),
                     runs=json.dumps(runs), seconds=round(time.time() - t0), units='MAE, median |error|, bias: nats; MSE: nats^2')
    res.to_netcdf(ROOT / 'data' / 'results' / 'ablation_encoder.nc', engine='scipy')


if __name__ == '__main__':
    main()
