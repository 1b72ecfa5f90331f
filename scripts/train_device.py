#!/usr/bin/env python3
"""Continue a shipped model on the broad meta-distribution for a fixed wall-clock budget, sized to the machine it runs on.

Made for a short accelerator lease (one command, no second chance), and usable on a CPU:

    PYTHONPATH=. python scripts/train_device.py mist-qr --init data/checkpoints/mist-qr.pt --out runs/device/mist-qr --minutes 7
    python scripts/train_broad.py ship mist-qr --base mist-qr --out runs/device/mist-qr      # afterwards, if it measures better

Before it trains, it checks what would otherwise fail late:
1. the training mix samples on this device (every component, several shapes, finite data and labels); if it does not,
   batches are drawn on the CPU and moved over;
2. the largest batches of the run's shape mix fit in memory (forward and backward at the extreme shapes); if one does
   not, the batch sizes are halved until all do;
3. the optimiser's steps per second at the run's own shape mix, on a throw-away run, so that the cosine schedule's
   length (`--steps`, fixed when the run starts) fills the budget.
Then `mist_nb.train.train` runs with the same data stream, loss and schedule shape as `train_broad.py`, in float32
(no bf16 autocast: the neighbour statistics are computed in the same precision as at inference), warm-started from
--init, with atomic checkpoints every minute. Re-running the same command resumes the run.
"""
import argparse, json, shutil, time, traceback
from pathlib import Path

import torch

from mist_nb.core import atomic_write_text, hardware
from mist_nb.model import MISTConfig, MISTNet, config_from_dict
from mist_nb.train import TrainConfig, train, batch_for, load_checkpoint, batch_loss


class SampleOn:
    "A meta-distribution whose batches are drawn on `where` and moved to the training device."
    def __init__(self, md, where): self.md, self.where = md, torch.device(where)
    def __getattr__(self, k): return getattr(self.md, k)
    def sample(self, B, device='cpu', **kw): return self.md.sample(B, device=self.where, **kw).to(device)


def config(name: str, init: str, steps: int, seed: int, lr: float, bs: int, min_b: int, max_b: int) -> TrainConfig:
    ck = load_checkpoint(init) if init else {}
    model = config_from_dict(ck.get('model_config') or ck['config']).to_dict() if init else MISTConfig(quantile=name == 'mist-qr').to_dict()
    if model['quantile'] != (name == 'mist-qr'): raise SystemExit(f"{init} is not a {name} checkpoint")
    return TrainConfig(model=model, spec='train', seed=seed, steps=steps, batch_size=bs, min_batch=min_b, max_batch=max_b,
                       n_range=(10, 2000), log_n=True, max_query=128, lr=lr, min_lr=1e-5, warmup=min(100, max(10, steps // 20)),
                       eval_every=0, checkpoint_every=60.0, log_every=25, init_from=init, amp=False)


def sampling_device(md, device) -> str:
    "Where to draw batches: `device` if every shape below samples there with finite data and labels, else the CPU."
    if device.type == 'cpu': return 'cpu'
    try:
        for i, (n, dx, dy) in enumerate([(30, 1, 1), (50, 3, 3), (40, 8, 2), (20, 2, 9), (30, 16, 16), (25, 32, 32)]):
            b = md.sample(512, seed=12345, index=i, device=device, n=n, dim_x=dx, dim_y=dy)
            ok = bool(torch.isfinite(b.x).all() and torch.isfinite(b.y).all() and torch.isfinite(b.mi).all() and (b.mi >= -1e-9).all())  # exact-zero labels can round to -1e-16
            if not ok: raise ValueError(f"non-finite or negative draws at n={n}, {dx} x {dy}")
        return str(device)
    except Exception:
        traceback.print_exc()
        print(f"sampling on {device} failed: drawing batches on the CPU instead", flush=True)
        return 'cpu'


def extreme_shapes(cfg: TrainConfig, md):
    "The shapes (n, dx, dy) whose batches need the most memory in the run's mix."
    n0, n1 = cfg.n_range
    (x0, x1), (y0, y1) = md.dim_x, md.dim_y
    return [(n1, x0, y0), (n1, x1, y1), (n1, x1, y0), (n1, 4, 4), (n1, 8, 8), (n0, x0, y0), (300, 2, 2), (600, 16, 16)]


def fit_batches(cfg: TrainConfig, md, device) -> dict:
    "Halve the batch sizes until forward and backward fit at every extreme shape; the peak memory in GiB."
    if device.type != 'cuda': return dict(peak_gib=None)
    model = MISTNet(MISTConfig(**cfg.model)).to(device); model.max_query = cfg.max_query
    while True:
        try:
            torch.cuda.reset_peak_memory_stats(device)
            for i, (n, dx, dy) in enumerate(extreme_shapes(cfg, md)):
                b = md.sample(batch_for(cfg, n, dx, dy), seed=999, index=i, device=device, n=n, dim_x=dx, dim_y=dy)
                model.zero_grad(set_to_none=True)
                batch_loss(model, b, cfg, 0).backward()
                del b
            torch.cuda.synchronize(device)
            peak = torch.cuda.max_memory_allocated(device) / 2**30
            print(f"batches fit: batch_size {cfg.batch_size}, max_batch {cfg.max_batch}, peak {peak:.1f} GiB", flush=True)
            return dict(peak_gib=round(peak, 2))
        except torch.cuda.OutOfMemoryError:
            model.zero_grad(set_to_none=True); torch.cuda.empty_cache()
            if cfg.batch_size <= 8: raise
            cfg.batch_size, cfg.max_batch = cfg.batch_size // 2, max(cfg.min_batch, cfg.max_batch // 2)
            print(f"out of memory: halving to batch_size {cfg.batch_size}, max_batch {cfg.max_batch}", flush=True)


def steps_per_second(cfg: TrainConfig, md, device, out: Path, seconds: float) -> float:
    "Optimiser steps per second of `cfg` on a throw-away run (after 3 warm-up steps)."
    probe = out.parent / f"{out.name}-probe"
    shutil.rmtree(probe, ignore_errors=True)
    c = TrainConfig(**{**cfg.to_dict(), 'steps': 10**6, 'checkpoint_every': 1e9})
    train(c, probe, device=device, resume=False, progress=False, stop_after=3, meta_distribution=md)
    t0 = time.time()
    res = train(c, probe, minutes=seconds / 60, device=device, resume=True, progress=False, meta_distribution=md)
    rate = (res['step'] - 3) / (time.time() - t0)
    shutil.rmtree(probe, ignore_errors=True)
    return rate


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('name', choices=('mist-qr', 'mist'))
    p.add_argument('--init', help='checkpoint to warm-start from (a new run needs it)')
    p.add_argument('--out', required=True, help='run folder')
    p.add_argument('--minutes', type=float, required=True, help='wall-clock budget, checks and probe included')
    p.add_argument('--lr', type=float, default=3e-4, help='peak learning rate (cosine to 1e-5)')
    p.add_argument('--seed', type=int, default=4100)
    p.add_argument('--batch-size', type=int, default=256, help='datasets per step at n = 250 and 32 columns (scaled by shape)')
    p.add_argument('--min-batch', type=int, default=16)
    p.add_argument('--max-batch', type=int, default=1024)
    p.add_argument('--probe-seconds', type=float, default=25.0)
    p.add_argument('--memory-fraction', type=float, help='cap on this process\'s share of GPU memory (two runs on one GPU)')
    p.add_argument('--threads', type=int, help='CPU threads for torch')
    p.add_argument('--device', help="'cuda', 'cpu', ... (default: the GPU if any)")
    a = p.parse_args()
    t_start = time.time()
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if device.type == 'cuda':
        if device.index is None: device = torch.device('cuda', torch.cuda.current_device())
        torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
        if a.memory_fraction: torch.cuda.set_per_process_memory_fraction(a.memory_fraction, device)
    out = Path(a.out)
    if (out / 'config.json').exists():  # resume: the stored config is the run's definition
        cfg = TrainConfig(**json.loads((out / 'config.json').read_text()))
        info = json.loads((out / 'plan.json').read_text())
        md = SampleOn(cfg.meta_distribution(), info['sampling_device'])
    else:
        if not a.init: raise SystemExit("a new run needs --init")
        cfg = config(a.name, a.init, 1, a.seed, a.lr, a.batch_size, a.min_batch, a.max_batch)
        base = cfg.meta_distribution()
        where = sampling_device(base, device)
        md = SampleOn(base, where)
        mem = fit_batches(cfg, md, device)
        rate = steps_per_second(cfg, md, device, out, a.probe_seconds)
        left = a.minutes * 60 - (time.time() - t_start)
        cfg = config(a.name, a.init, max(20, int(rate * left * 0.93)), a.seed, a.lr, cfg.batch_size, cfg.min_batch, cfg.max_batch)
        info = dict(sampling_device=where, steps_per_s=round(rate, 3), planned_steps=cfg.steps, **mem)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(json.dumps(info, indent=1), out / 'plan.json')
        print(f"[{a.name}] {rate:.2f} steps/s on {device} (sampling on {where}) -> schedule of {cfg.steps} steps "
              f"for {left / 60:.2f} min", flush=True)
    left = a.minutes * 60 - (time.time() - t_start)
    res = train(cfg, out, minutes=max(left, 0.0) / 60, device=device, progress=False, meta_distribution=md)
    res.update(name=a.name, hardware=hardware(), **info)
    if device.type == 'cuda': res['peak_gib_training'] = round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
    atomic_write_text(json.dumps(res, indent=1), out / 'summary.json')
    print(f"[{a.name}] done: {json.dumps(res)}", flush=True)


if __name__ == '__main__':
    main()
