"Training: exact resume after a real kill -9, data-parallel training with torchrun (gloo, 2 processes)."
import json, math, os, shutil, signal, subprocess, sys, time
from dataclasses import replace

import pytest
import torch

from mist_nb.model import MISTConfig
from mist_nb.sampling import training_spec
from mist_nb.train import TrainConfig, load_checkpoint, step_shape

ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'}


def tiny_config(steps=40) -> TrainConfig:
    cfg = TrainConfig(model=MISTConfig(width=16, heads=2, layers=1, hidden=32, k_learned=1, m_rows=1, quantile=True).to_dict(),
                      steps=steps, batch_size=16, max_batch=32, n_range=(10, 40), warmup=5, eval_every=0, log_every=5,
                      checkpoint_every=0.0, seed=11)
    cfg.spec = replace(training_spec(), dim_x=(1, 3), dim_y=(1, 3)).to_dict()
    return cfg


def mist_nb_cmd():
    exe = shutil.which('mist-nb')
    return [exe] if exe else [sys.executable, '-c', 'import sys; from mist_nb.cli import main; sys.exit(main())']


def run_train(cfg_path, out, extra=()):
    return subprocess.run(mist_nb_cmd() + ['train', '--config', str(cfg_path), '--out', str(out), '--device', 'cpu', *extra],
                          env=ENV, capture_output=True, text=True, timeout=600)


def test_resume_after_kill_9_is_exact(tmp_path):
    cfg = tiny_config()
    cfg_path = tmp_path / 'cfg.json'; cfg_path.write_text(json.dumps(cfg.to_dict()))
    r = run_train(cfg_path, tmp_path / 'unbroken'); assert r.returncode == 0, r.stderr[-2000:]
    # start the same run, kill -9 it once a mid-run checkpoint exists, then resume with the same command
    p = subprocess.Popen(mist_nb_cmd() + ['train', '--config', str(cfg_path), '--out', str(tmp_path / 'killed'), '--device', 'cpu'],
                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ck = tmp_path / 'killed' / 'checkpoint.pt'
    t0, killed_at = time.time(), None
    while time.time() - t0 < 300 and p.poll() is None:
        if ck.exists():
            try: s = load_checkpoint(ck)['step']
            except ValueError: s = 0
            if s >= 8:
                os.kill(p.pid, signal.SIGKILL); p.wait(); killed_at = s; break
        time.sleep(0.05)
    assert killed_at is not None and killed_at < cfg.steps, 'the run finished before it could be killed'
    r = run_train(cfg_path, tmp_path / 'killed'); assert r.returncode == 0, r.stderr[-2000:]
    a, b = load_checkpoint(tmp_path / 'unbroken' / 'checkpoint.pt'), load_checkpoint(ck)
    assert a['step'] == b['step'] == cfg.steps and a['datasets_seen'] == b['datasets_seen']
    assert all(torch.equal(a['model'][k], b['model'][k]) for k in a['model'])
    logs = [[json.loads(l) for l in (tmp_path / d / 'log.jsonl').read_text().splitlines()] for d in ('unbroken', 'killed')]
    assert [r['loss'] for r in logs[0]] == [r['loss'] for r in logs[1]]


def test_checkpoint_from_another_config_is_refused(tmp_path):
    cfg = tiny_config(steps=3)
    cfg_path = tmp_path / 'cfg.json'; cfg_path.write_text(json.dumps(cfg.to_dict()))
    assert run_train(cfg_path, tmp_path / 'run').returncode == 0
    cfg_path.write_text(json.dumps(replace(cfg, lr=0.5).to_dict()))
    r = run_train(cfg_path, tmp_path / 'run')
    assert r.returncode != 0 and 'different config' in r.stderr


def test_corrupt_checkpoint_is_an_error(tmp_path):
    p = tmp_path / 'checkpoint.pt'; p.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='corrupt'): load_checkpoint(p)


@pytest.mark.skipif(shutil.which('torchrun') is None, reason='torchrun not installed')
def test_ddp_two_processes_gloo(tmp_path):
    cfg = tiny_config(steps=6)
    cfg_path = tmp_path / 'cfg.json'; cfg_path.write_text(json.dumps(cfg.to_dict()))
    cmd = ['torchrun', '--standalone', '--nproc_per_node', '2', '--no-python'] + mist_nb_cmd() + \
          ['train', '--config', str(cfg_path), '--out', str(tmp_path / 'ddp'), '--device', 'cpu']
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads([l for l in r.stdout.splitlines() if l.startswith('{')][-1])
    assert res['world'] == 2 and res['step'] == 6
    md = cfg.meta_distribution()
    assert res['datasets_seen'] == 2 * sum(step_shape(cfg, md, s)[3] for s in range(6))
    ck = load_checkpoint(tmp_path / 'ddp' / 'checkpoint.pt')
    assert ck['step'] == 6 and ck['datasets_seen'] == res['datasets_seen']


def test_a_run_on_the_regression_mix_trains_and_round_trips(tmp_path):
    "The 'train-regression' spec (the broad mix plus RegressionFamily) by name and as a dict: a few steps run, losses are finite, and the stored spec is the one asked for."
    from mist_nb.sampling import broad_regression_spec
    from mist_nb.train import train
    regression_only = [c for c in broad_regression_spec().components if c.family.startswith('regression')]
    for spec in ('train-regression', replace(broad_regression_spec(), components=regression_only, dim_x=(2, 4), dim_y=(1, 2)).to_dict()):
        cfg = replace(tiny_config(steps=6), spec=spec, log_every=1)
        out = tmp_path / ('named' if isinstance(spec, str) else 'dict')
        train(cfg, out, progress=False)
        logs = [json.loads(line) for line in (out / 'log.jsonl').read_text().splitlines()]
        losses = [r['loss'] for r in logs if r.get('event') == 'train']
        assert len(losses) == 6 and all(math.isfinite(v) for v in losses)
        assert load_checkpoint(out / 'checkpoint.pt')['train_config']['spec'] == spec
