#!/usr/bin/env python3
"""Do the classical Gaussian-copula summaries help? Train the same network with and without them.

    python scripts/ablation_summaries.py --minutes 10     # writes data/results/ablation_summaries.json

Both runs use the point (MSE) model with the shipped architecture, the same seed, data stream and wall-clock
budget on this machine, one after the other; each is then scored on every 2nd cell of the IMD/OoMD grids.
"""
import argparse, json, time
from pathlib import Path

from mist_nb.model import MISTConfig
from mist_nb.train import TrainConfig, train, load_checkpoint, evaluate_grids, hardware, atomic_write_text
from mist_nb.model import MISTNet

ROOT = Path(__file__).resolve().parent.parent
ARCH = dict(width=64, heads=4, layers=3, hidden=256, k_learned=3, m_rows=2)


def run(summaries: bool, minutes: float, out: Path) -> dict:
    cfg = TrainConfig(model=MISTConfig(**ARCH, summaries=summaries).to_dict(), seed=99, steps=100_000, batch_size=32, min_batch=8,
                      max_batch=256, lr=1e-3, warmup=100, eval_every=0, checkpoint_every=1e9, log_every=50)
    res = train(cfg, out / ('with' if summaries else 'without'), minutes=minutes, resume=False, progress=False)
    ck = load_checkpoint(out / ('with' if summaries else 'without') / 'checkpoint.pt')
    net = MISTNet(MISTConfig(**ck['model_config'])); net.load_state_dict(ck['model'])
    return dict(summaries=summaries, steps=res['step'], datasets_seen=res['datasets_seen'], minutes=minutes,
                scores=evaluate_grids(net, 2))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--minutes', type=float, default=10.0)
    p.add_argument('--out', default='runs/ablation-summaries')
    a = p.parse_args()
    t0 = time.time()
    runs = [run(s, a.minutes, Path(a.out)) for s in (True, False)]
    res = dict(question='do Gaussian-copula summary features help?', hardware=hardware(), units='MSE nats^2, MAE nats', runs=runs,
               seconds=round(time.time() - t0))
    atomic_write_text(json.dumps(res, indent=1), ROOT / 'data' / 'results' / 'ablation_summaries.json')
    for r in runs:
        print(f"summaries={r['summaries']}: {r['datasets_seen']} datasets;",
              {s: [round(v['mse'], 3) for v in r['scores'][s].values()] for s in r['scores']})


if __name__ == '__main__':
    main()
