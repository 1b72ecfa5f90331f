#!/usr/bin/env python3
"""Ship a training run that continues a shipped model: export it with its lineage and extend its training log.

    python scripts/record_run.py runs/cpu-ft/qr mist-qr

The run in RUN_DIR must have started from the shipped model's weights (`init_from`). This writes
data/checkpoints/NAME.pt and its model card (the card's `runs` = the shipped card's runs + this one, so steps,
datasets and time accumulate), appends the run's log to data/checkpoints/NAME.log.jsonl with cumulative
counters, and adds an evaluation record (every 4th cell of the IMD/OoMD grids) for the learning curve.
"""
import json, sys
from pathlib import Path

from mist_nb.model import MISTNet, MISTConfig
from mist_nb.train import export_model, load_checkpoint, evaluate_grids, atomic_write_text

ROOT = Path(__file__).resolve().parent.parent


def main(run_dir: str, name: str):
    ckpts = ROOT / 'data' / 'checkpoints'
    prev = json.loads((ckpts / f'{name}.json').read_text())
    run_dir = Path(run_dir)
    log_path = ckpts / f'{name}.log.jsonl'
    old = [json.loads(l) for l in log_path.read_text().splitlines()] if log_path.exists() else []
    offset = dict(datasets=prev['datasets_seen'], steps=prev['steps'], t=prev['wall_time_s'])
    run_no = max([r.get('run', 1) for r in old], default=0) + 1
    new = []
    for line in (run_dir / 'log.jsonl').read_text().splitlines():
        r = json.loads(line)
        r.update(run=run_no, datasets_total=r['datasets_seen'] + offset['datasets'], steps_total=r['step'] + offset['steps'],
                 elapsed_total_s=r['elapsed_s'] + offset['t'])
        new.append(r)
    ck = load_checkpoint(run_dir / 'checkpoint.pt')
    net = MISTNet(MISTConfig(**ck['model_config'])); net.load_state_dict(ck['model']); net.eval()
    new.append(dict(event='eval', step=ck['step'], datasets_seen=ck['datasets_seen'], elapsed_s=ck['elapsed_s'], run=run_no,
                    datasets_total=ck['datasets_seen'] + offset['datasets'], steps_total=ck['step'] + offset['steps'],
                    elapsed_total_s=ck['elapsed_s'] + offset['t'], scores=evaluate_grids(net, 4)))
    card = export_model(run_dir, ckpts / f'{name}.pt', name, earlier_runs=prev.get('runs'))
    atomic_write_text(''.join(json.dumps(r) + '\n' for r in old + new), log_path)
    print(json.dumps({k: card[k] for k in ('steps', 'datasets_seen', 'wall_time_s')}), json.dumps(card['scores']))


if __name__ == '__main__':
    main(*sys.argv[1:3])
