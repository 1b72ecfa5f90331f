#!/usr/bin/env python3
"""Train the default models on the broad meta-distribution, on whatever machine is here, resumably.

    python scripts/train_broad.py run mist-qr --init runs/ablation-encoder/neighbours/checkpoint.pt --minutes 240 --steps 40000
    python scripts/train_broad.py run mist-qr --minutes 240         # the same command again resumes where it stopped
    python scripts/train_broad.py ship mist-qr --base mist-qr-paper --via runs/ablation-encoder/neighbours
    python scripts/train_broad.py run mist --init runs/broad/mist-qr/checkpoint.pt --steps 2500 --lr 2e-4 --out runs/broad/mist-ft
    python scripts/train_broad.py run mist-qr --init data/checkpoints/mist-qr.pt --steps 20000 --lr 1e-4 --spec train-regression --out runs/broad/mist-qr-r41

`run` trains (or resumes) runs/broad/NAME with `mist_nb.train.train`: the shipped quantile (mist-qr) or point (mist)
architecture with the neighbour branch, warm-started from --init (every tensor that fits), on `training_spec()` (or
--spec, e.g. `train-regression`: the same mix plus regressions of several columns) with n log-uniform in 10..2000. The cosine schedule's length (--steps) is fixed when the run starts and stored in the run
folder, so a re-launch resumes the same run (one training at a time on this machine; checkpoints are atomic).
A later session continues a shipped model with a new run folder (`--init data/checkpoints/NAME.pt --out ...`).

`ship` exports the run to data/checkpoints/NAME.pt with its model card, whose `runs` list the whole lineage: the base
model's runs (--base, a shipped card), any intermediate runs (--via run folders, e.g. the ablation arm it started
from) and this one; the training logs are appended to NAME.log.jsonl with cumulative counters.
"""
import argparse, json
from pathlib import Path

from mist_nb.model import MISTConfig
from mist_nb.train import TrainConfig, train, export_model, load_checkpoint
from mist_nb.core import hardware, atomic_write_text
from mist_nb.model import MISTNet, config_from_dict
from mist_nb.evaluate import model_scores

ROOT = Path(__file__).resolve().parent.parent


def config(name: str, steps: int, init: str, seed: int, lr: float = 5e-4, spec: str = 'train') -> TrainConfig:
    return TrainConfig(model=MISTConfig(quantile=name == 'mist-qr').to_dict(), spec=spec, seed=seed, steps=steps,
                       batch_size=32, min_batch=8, max_batch=256, n_range=(10, 2000), log_n=True, max_query=128,
                       lr=lr, min_lr=1e-5, warmup=100, eval_every=0, checkpoint_every=120.0, log_every=25, init_from=init)


def run(a):
    out = Path(a.out or f'runs/broad/{a.name}')
    if (out / 'config.json').exists():  # resume: the stored config is the run's definition
        cfg = TrainConfig(**json.loads((out / 'config.json').read_text()))
    else:
        if not a.init or not a.steps: raise SystemExit("a new run needs --init and --steps")
        cfg = config(a.name, a.steps, a.init, a.seed, a.lr, a.spec)
    res = train(cfg, out, minutes=a.minutes, progress=False)
    res['hardware'] = hardware()
    atomic_write_text(json.dumps(res, indent=1), out / 'summary.json')
    print(json.dumps(res), flush=True)


def _run_record(run_dir: Path) -> dict:
    ck = load_checkpoint(run_dir / 'checkpoint.pt')
    tc = ck['train_config']
    summ = json.loads((run_dir / 'summary.json').read_text()) if (run_dir / 'summary.json').exists() else {}
    return dict(steps=ck['step'], datasets_seen=ck['datasets_seen'], wall_time_s=round(ck['elapsed_s'], 1),
                hardware=summ.get('hardware', hardware()), init_from=tc.get('init_from'), seed=tc['seed'], run_dir=str(run_dir))


def ship(a):
    ckpts = ROOT / 'data' / 'checkpoints'
    base = json.loads((ckpts / f'{a.base}.json').read_text())
    out = Path(a.out or f'runs/broad/{a.name}')
    via = [Path(v) for v in a.via]
    earlier = list(base['runs']) + [_run_record(v) for v in via]
    old_log = ckpts / f'{a.base}.log.jsonl'
    lines = [json.loads(l) for l in old_log.read_text().splitlines()] if old_log.exists() else []
    offset = dict(datasets=base['datasets_seen'], steps=base['steps'], t=base['wall_time_s'])
    run_no = max([r.get('run', 1) for r in lines], default=0)
    for d in via + [out]:
        run_no += 1
        for l in (d / 'log.jsonl').read_text().splitlines():
            r = json.loads(l)
            lines.append({**r, 'run': run_no, 'datasets_total': r['datasets_seen'] + offset['datasets'],
                          'steps_total': r['step'] + offset['steps'], 'elapsed_total_s': r['elapsed_s'] + offset['t']})
        rec = _run_record(d)
        offset = dict(datasets=offset['datasets'] + rec['datasets_seen'], steps=offset['steps'] + rec['steps'], t=offset['t'] + rec['wall_time_s'])
    summ = json.loads((out / 'summary.json').read_text()) if (out / 'summary.json').exists() else {}
    ck = load_checkpoint(out / 'checkpoint.pt')
    net = MISTNet(config_from_dict(ck['model_config'])); net.load_state_dict(ck['model'])
    card = export_model(out, ckpts / f'{a.name}.pt', a.name, hardware_desc=summ.get('hardware'), earlier_runs=earlier,
                        scores=model_scores(net), scores_note='evaluate.model_scores on monitor_grids(): MSE, MAE, bias and 90% coverage by n range')
    atomic_write_text(''.join(json.dumps(r) + '\n' for r in lines), ckpts / f'{a.name}.log.jsonl')
    print(json.dumps({k: card[k] for k in ('steps', 'datasets_seen', 'wall_time_s')}), json.dumps(card['scores']))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('what', choices=('run', 'ship'))
    p.add_argument('name', choices=('mist-qr', 'mist'))
    p.add_argument('--out', help='run folder (default runs/broad/NAME)')
    p.add_argument('--init', help='checkpoint to warm-start a new run from')
    p.add_argument('--steps', type=int, help="a new run's schedule length")
    p.add_argument('--seed', type=int, default=3100)
    p.add_argument('--lr', type=float, default=5e-4, help="a new run's peak learning rate (cosine to 1e-5 after 100 warm-up steps)")
    p.add_argument('--spec', default='train', help="a new run's meta-distribution (a name in mist_nb.sampling.SPECS: 'train', or 'train-regression' with the regression bank)")
    p.add_argument('--minutes', type=float, help='stop after this much wall time (resumable)')
    p.add_argument('--base', default='mist-qr-paper', help='ship: the shipped model whose runs come first in the lineage')
    p.add_argument('--via', nargs='*', default=[], help='ship: intermediate run folders between the base and this run')
    a = p.parse_args()
    (run if a.what == 'run' else ship)(a)


if __name__ == '__main__':
    main()
