"Flows: exact MI labels through fitted flows, invertibility on real-scale data, reproducible adapted batches and runs, zuko optional."
import importlib.util, os, subprocess, sys, textwrap

import numpy as np
import pytest
import torch

ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}
needs_zuko = pytest.mark.skipif(importlib.util.find_spec('zuko') is None, reason="zuko missing: pip install 'mist-nb[flows]'")


def test_import_without_zuko_errors_only_when_a_flow_is_needed():
    code = textwrap.dedent('''
        import sys; sys.modules['zuko'] = None          # as if zuko were not installed
        import numpy as np
        import mist_nb.flows as F
        F.fixed_dims_spec(F.training_spec(), 2, 3)       # nothing here needs a flow
        try: F.fit_flow(np.random.default_rng(0).normal(size=(50, 2)))
        except ImportError as e: print('IMPORT-ERROR:', e)
    ''')
    r = subprocess.run([sys.executable, '-c', code], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'IMPORT-ERROR:' in r.stdout and "pip install 'mist-nb[flows]'" in r.stdout


@pytest.fixture(scope='module')
def real_pair():
    "Breast-cancer 'mean' (X) and 'worst' (Y) radius, texture, area, smoothness: real scales from ~0.1 to ~4000."
    datasets = pytest.importorskip('sklearn.datasets')
    bc = datasets.load_breast_cancer()
    names = list(bc.feature_names)
    feats = ('radius', 'texture', 'area', 'smoothness')
    return tuple(bc.data[:, [names.index(f'{s} {f}') for f in feats]] for s in ('mean', 'worst'))


@pytest.fixture(scope='module')
def small_config():
    from mist_nb.flows import FlowConfig
    return FlowConfig(transforms=1, hidden=(16, 16), max_epochs=8, patience=3, lr=5e-3, batch_size=256)


@pytest.fixture(scope='module')
def flows(real_pair, small_config):
    from mist_nb.flows import fit_flow
    x, y = real_pair
    return fit_flow(x, seed=1, config=small_config), fit_flow(y, seed=2, config=small_config)


@needs_zuko
def test_flows_are_numerically_invertible_on_real_scale_data(real_pair, flows):
    for data, f in zip(real_pair, flows):
        assert data.max() > 1000  # 'area' columns: the test is on the data's own scale
        back = f.to_data(f.to_base(data)).numpy()
        assert np.abs(back - data).max() < 1e-4
        assert f.stats['roundtrip_error'] < 1e-4
        z = torch.randn(2000, data.shape[1], dtype=torch.float64, generator=torch.Generator().manual_seed(0))
        assert (f.to_base(f.to_data(z)) - z).abs().max() < 1e-6


@needs_zuko
def test_flow_mapped_datasets_keep_the_exact_mi_label(flows):
    from mist_nb.flows import FlowAdapted
    from mist_nb.model import copula_scores
    md = FlowAdapted(*flows)
    a = md.sample(32, seed=3, index=5, n=150)
    base = md.base.sample(32, seed=3, index=5, n=150)
    assert torch.equal(a.mi, base.mi) and a.mi.dtype == torch.float64   # the base's closed-form labels, bit for bit
    assert torch.equal(a.component, base.component) and torch.equal(a.row_mask, base.row_mask)
    assert a.x.shape == (32, 150, 4) and a.y.shape == (32, 150, 4)
    assert not torch.allclose(a.x, base.x)
    # each variable was mapped injectively: the flows' inverse recovers the normal scores of the base sample
    for f, mapped, orig in ((flows[0], a.x, base.x), (flows[1], a.y, base.y)):
        back = f.to_base(mapped.reshape(-1, 4).double()).float()
        assert (back - copula_scores(orig, base.row_mask).reshape(-1, 4)).abs().max() < 1e-3


@needs_zuko
def test_adapted_meta_distribution_is_reproducible_from_a_seed(real_pair, flows, small_config):
    from mist_nb.flows import FlowAdapted, fit_flow
    md = FlowAdapted(*flows)
    again = FlowAdapted(fit_flow(real_pair[0], seed=1, config=small_config), fit_flow(real_pair[1], seed=2, config=small_config))
    assert again.hash == md.hash
    b1, b2 = md.sample(8, seed=11, index=2, n=64), again.sample(8, seed=11, index=2, n=64)
    assert all(torch.equal(getattr(b1, k), getattr(b2, k)) for k in ('x', 'y', 'mi', 'n', 'dim_x', 'dim_y'))
    assert not torch.equal(md.sample(8, seed=11, index=3, n=64).x, b1.x)
    assert not torch.equal(md.sample(8, seed=12, index=2, n=64).x, b1.x)


@needs_zuko
def test_adapt_with_a_tiny_budget_is_reproducible_from_its_seed(tmp_path, real_pair, small_config):
    from mist_nb.estimate import MIST
    from mist_nb.flows import adapt
    est = MIST.load('mist-qr')
    kw = dict(steps=3, flow_config=small_config, batch=8, n_range=(10, 40), heldout_per_n=2, n_grid=(20, 40), calibrate=8)
    a, rep_a = adapt(est, *real_pair, seed=5, out_dir=tmp_path / 'a', **kw)
    b, rep_b = adapt(est, *real_pair, seed=5, out_dir=tmp_path / 'b', **kw)
    c, _ = adapt(est, *real_pair, seed=6, out_dir=tmp_path / 'c', **kw)
    wa, wb, wc, w0 = (m.net.state_dict() for m in (a, b, c, est))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert not all(torch.equal(wa[k], wc[k]) for k in wa)
    assert not all(torch.equal(wa[k], w0[k]) for k in wa)
    assert rep_a['finetune']['steps'] == 3 and rep_a['finetune']['datasets_seen'] == 24
    assert rep_a['heldout'] == rep_b['heldout']  # same held-out grid, same errors before and after
    assert rep_a['flows']['x']['fingerprint'] == rep_b['flows']['x']['fingerprint']
    loaded = MIST.load(tmp_path / 'a' / 'mist-qr-adapted.pt')
    assert loaded.calibration is not None and loaded.card['adaptation']['finetune']['steps'] == 3
    assert all(torch.equal(loaded.net.state_dict()[k], wa[k]) for k in wa)
