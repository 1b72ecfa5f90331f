#!/usr/bin/env python3
"""Train the paper-recipe moment-only checkpoints (what became mist-qr-paper) within a wall-clock budget.

Used for the H100 run that produced data/checkpoints/ (see the model cards), and usable on any machine:

    PYTHONPATH=. python scripts/train_checkpoints.py --out runs/h100 --minutes-qr 4.3 --minutes-mse 2.9
    python scripts/train_checkpoints.py --export runs/h100     # afterwards: write data/checkpoints/*.pt + cards

Each model is trained by `mist_nb.train.train`. The number of optimiser steps (the cosine schedule's length)
is calibrated first: a short throw-away run measures steps per second at the run's own shape mix, and the
schedule is sized to fill the budget. Runs resume if re-launched with the same --out and config.
"""
import argparse, json, time, traceback
from pathlib import Path

import torch

from mist_nb.model import MISTConfig
from mist_nb.train import TrainConfig, train, export_model, hardware
from mist_nb.evaluate import model_scores

ROOT = Path(__file__).resolve().parent.parent
MODEL = dict(MISTConfig().to_dict(), knn=False, ksg_base=False, dedup=False, gauss_ridge=1e-3)  # the moment-only model of mist-qr-paper


def config(quantile: bool, steps: int, tiny: bool, on_gpu: bool) -> TrainConfig:
    m = dict(MODEL, quantile=quantile)
    if tiny: m.update(width=16, heads=2, layers=1, hidden=32)
    return TrainConfig(model=MISTConfig(**m).to_dict(), spec='paper-train', seed=2025 + quantile, steps=steps,
                       batch_size=512 if on_gpu else 32, min_batch=16, max_batch=4096 if on_gpu else 256,
                       lr=1.5e-3, min_lr=2e-5, warmup=min(300, max(10, steps // 20)), eval_every=max(1, steps // 6),
                       eval_cells=4 if on_gpu else 40, checkpoint_every=60.0, log_every=25)


def calibrate(quantile: bool, out: Path, tiny: bool, device, seconds: float) -> float:
    "Steps per second of the real config, measured on a throw-away run (after 5 warm-up steps)."
    cfg = config(quantile, 10**6, tiny, device.type == 'cuda')
    cfg.eval_every, cfg.checkpoint_every = 0, 1e9
    probe = out / f"calibrate-{'qr' if quantile else 'mse'}"
    train(cfg, probe, device=device, resume=False, progress=False, stop_after=5)
    t0 = time.time()
    res = train(cfg, probe, minutes=seconds / 60, device=device, resume=True, progress=False)
    rate = (res['step'] - 5) / (time.time() - t0)
    for f in probe.iterdir(): f.unlink()
    probe.rmdir()
    return rate


def run(quantile: bool, minutes: float, out: Path, tiny: bool, device) -> dict:
    name = 'mist-qr' if quantile else 'mist'
    t0 = time.time()
    rate = calibrate(quantile, out, tiny, device, seconds=min(20.0, 6 * minutes))
    left = minutes * 60 - (time.time() - t0)
    steps = max(20, int(rate * left * 0.92))  # leave room for the periodic evaluations
    cfg = config(quantile, steps, tiny, device.type == 'cuda')
    print(f"[{name}] {rate:.2f} steps/s -> schedule of {steps} steps for {left / 60:.2f} min", flush=True)
    res = train(cfg, out / name, minutes=left / 60, device=device, progress=False, evaluator=model_scores)
    res.update(name=name, rate_steps_per_s=rate, hardware=hardware())
    (out / name / 'summary.json').write_text(json.dumps(res, indent=1))
    print(f"[{name}] done: {json.dumps(res)}", flush=True)
    return res


def extend(name: str, init: Path, minutes: float, rate: float, out: Path, device, tiny=False) -> dict:
    "Continue training `name` from the weights in `init` on fresh data (new seed), with a new cosine schedule."
    quantile = name == 'mist-qr'
    steps = max(20, int(rate * minutes * 60 * 0.92))
    cfg = config(quantile, steps, tiny, device.type == 'cuda')
    cfg.init_from, cfg.seed, cfg.lr, cfg.warmup = str(init), cfg.seed + 100, 5e-4, min(100, steps // 10)
    print(f"[{name}+] schedule of {steps} steps from {init}", flush=True)
    res = train(cfg, out / name, minutes=minutes, device=device, progress=False)
    prev = json.loads((init.parent / 'summary.json').read_text())
    res.update(name=name, hardware=hardware(), previous=prev)
    (out / name / 'summary.json').write_text(json.dumps(res, indent=1))
    print(f"[{name}+] done: {json.dumps(res)}", flush=True)
    return res


def load_checkpoint_net(run_dir: Path):
    "The network of a training run's checkpoint."
    from mist_nb.model import MISTNet, config_from_dict
    from mist_nb.train import load_checkpoint
    ck = load_checkpoint(run_dir / 'checkpoint.pt')
    net = MISTNet(config_from_dict(ck['model_config'])); net.load_state_dict(ck['model'])
    return net


def export(run_root: Path, dest=ROOT / 'data' / 'checkpoints'):
    "Export both runs under `run_root` to the shipped checkpoints with model cards."
    for name in ('mist-qr', 'mist'):
        summ = json.loads((run_root / name / 'summary.json').read_text())
        prev = summ.get('previous')
        earlier = None
        if prev:
            init = Path(json.loads((run_root / name / 'config.json').read_text())['init_from'])
            prev_cfg = json.loads((init.parent / 'config.json').read_text()) if (init.parent / 'config.json').exists() else {}
            earlier = [dict(steps=prev['step'], datasets_seen=prev['datasets_seen'], wall_time_s=round(prev['elapsed_s'], 1),
                            hardware=prev['hardware'], init_from=prev_cfg.get('init_from'), seed=prev_cfg.get('seed'))]
        card = export_model(run_root / name, Path(dest) / f'{name}.pt', name, hardware_desc=summ['hardware'], earlier_runs=earlier,
                            scores=model_scores(load_checkpoint_net(run_root / name)), scores_note='evaluate.model_scores on monitor_grids()')
        print(name, json.dumps(card['scores']))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default='runs/checkpoints')
    p.add_argument('--minutes-qr', type=float, default=4.0)
    p.add_argument('--minutes-mse', type=float, default=3.0)
    p.add_argument('--device', default=None)
    p.add_argument('--tiny', action='store_true', help='a tiny model, for a CPU rehearsal of this script')
    p.add_argument('--export', metavar='RUN_ROOT', help='only export finished runs to data/checkpoints')
    p.add_argument('--extend', nargs=2, metavar=('NAME', 'CHECKPOINT'), help='continue NAME from CHECKPOINT for --minutes-qr minutes')
    p.add_argument('--rate', type=float, default=15.0, help='steps per second measured before (sizes the --extend schedule)')
    a = p.parse_args()
    if a.export: return export(Path(a.export))
    device = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if device.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        print(torch.cuda.get_device_name(0), torch.__version__, flush=True)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    if a.extend: return extend(a.extend[0], Path(a.extend[1]), a.minutes_qr, a.rate, out, device, a.tiny)
    for quantile, minutes in ((True, a.minutes_qr), (False, a.minutes_mse)):
        try: run(quantile, minutes, out, a.tiny, device)
        except Exception:
            traceback.print_exc()
            print(f"training {'mist-qr' if quantile else 'mist'} failed; continuing", flush=True)


if __name__ == '__main__':
    main()
