"scripts/train_device.py, the one-command training run for an accelerator lease, exercised on the CPU: plan, train, resume."
import json, os, subprocess, sys
from pathlib import Path

import torch

from mist_nb.train import load_checkpoint

ROOT = Path(__file__).resolve().parent.parent


def _run(out: Path, minutes: float):
    cmd = [sys.executable, str(ROOT / 'scripts' / 'train_device.py'), 'mist-qr', '--init', str(ROOT / 'data' / 'checkpoints' / 'mist-qr.pt'),
           '--out', str(out), '--minutes', str(minutes), '--batch-size', '4', '--min-batch', '2', '--max-batch', '8',
           '--probe-seconds', '3', '--device', 'cpu', '--threads', '1']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads((out / 'summary.json').read_text())


def test_plans_trains_and_resumes_on_cpu(tmp_path):
    out = tmp_path / 'run'
    first = _run(out, 0.4)
    plan = json.loads((out / 'plan.json').read_text())
    assert plan['sampling_device'] == 'cpu' and plan['planned_steps'] >= 20 and plan['steps_per_s'] > 0
    assert 0 < first['step'] <= plan['planned_steps'] and first['skipped'] == 0 and first['datasets_seen'] >= 2 * first['step']
    ck = load_checkpoint(out / 'checkpoint.pt')
    cfg = ck['train_config']
    assert cfg['amp'] is False and cfg['steps'] == plan['planned_steps'] and cfg['init_from'].endswith('mist-qr.pt')
    assert ck['model_config']['quantile'] and all(torch.isfinite(v).all() for v in ck['model'].values())
    # the same command again resumes the same run (same schedule), it does not start over
    second = _run(out, 0.15)
    assert second['step'] >= first['step'] and second['datasets_seen'] >= first['datasets_seen']
    assert load_checkpoint(out / 'checkpoint.pt')['train_config'] == cfg
    assert json.loads((out / 'plan.json').read_text()) == plan


def test_refuses_a_checkpoint_of_the_other_head(tmp_path):
    cmd = [sys.executable, str(ROOT / 'scripts' / 'train_device.py'), 'mist', '--init', str(ROOT / 'data' / 'checkpoints' / 'mist-qr.pt'),
           '--out', str(tmp_path / 'x'), '--minutes', '0.1', '--device', 'cpu']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and 'is not a mist checkpoint' in r.stderr
