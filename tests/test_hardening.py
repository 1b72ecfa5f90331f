"Hardening: corrupt or incomplete checkpoints, hostile inputs, discrete and degenerate data, CLI edge cases, the sklearn API."
import io, json, math, shutil, sys
from pathlib import Path

import numpy as np
import pytest
import torch

from mist_nb import MIST, estimate_mi
from mist_nb.core import file_sha256
from mist_nb.estimate import resolve_checkpoint, independence_test, discrete_entropy, crossfit_mi_bound, plugin_interval
from mist_nb.cli import main

QR = 'mist-qr'


@pytest.fixture(scope='module')
def qr(): return MIST.load()


@pytest.fixture(scope='module')
def point(): return MIST.load('mist')


def gaussian_pair(n=400, rho=0.8, seed=0, dx=1, dy=1):
    "Dependent Gaussian x (n, dx), y (n, dy) in float64, generated directly with numpy."
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dx))
    y = rho * x[:, :1] + math.sqrt(1 - rho ** 2) * rng.normal(size=(n, dy))
    return x, y


def copy_model(name: str, dest: Path, stem: str = 'model', card=True, calibration=True) -> Path:
    "Copy a shipped checkpoint (and optionally its card and calibration file) to dest/stem.*; returns the .pt path."
    src = resolve_checkpoint(name)
    pt = dest / f'{stem}.pt'
    shutil.copyfile(src, pt)
    if card: shutil.copyfile(src.with_suffix('.json'), dest / f'{stem}.json')
    cal = src.with_name(src.stem + '.calibration.json')
    if calibration and cal.exists(): shutil.copyfile(cal, dest / f'{stem}.calibration.json')
    return pt


# ---------------------------------------------------------------- checkpoints

def test_corrupt_bytes_fail_the_sha256_check(tmp_path):
    pt = copy_model(QR, tmp_path)
    assert MIST.load(pt).is_quantile              # the intact copy loads
    data = bytearray(pt.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 4096] = np.random.default_rng(0).bytes(4096)
    pt.write_bytes(bytes(data))
    with pytest.raises(ValueError, match='does not match its model card'): MIST.load(pt)


def test_nan_weights_are_rejected(tmp_path):
    src = resolve_checkpoint('mist')
    ck = torch.load(src, weights_only=True)
    k = next(k for k, v in ck['state_dict'].items() if torch.is_tensor(v) and v.is_floating_point() and v.numel() > 0)
    ck['state_dict'][k] = ck['state_dict'][k].clone()
    ck['state_dict'][k].view(-1)[0] = float('nan')
    pt = tmp_path / 'nan.pt'
    torch.save(ck, pt)
    card = json.loads(src.with_suffix('.json').read_text())
    card['weights_sha256'] = file_sha256(pt)
    (tmp_path / 'nan.json').write_text(json.dumps(card))
    with pytest.raises(ValueError, match='contains NaN or inf') as e: MIST.load(pt)
    assert k in str(e.value)


def test_missing_card(tmp_path):
    pt = copy_model(QR, tmp_path, card=False)
    with pytest.raises(FileNotFoundError, match='model card'): MIST.load(pt)


def test_card_that_is_not_json(tmp_path):
    pt = copy_model(QR, tmp_path)
    (tmp_path / 'model.json').write_text('{"weights_sha256": "abc", oops')
    with pytest.raises(ValueError, match='not valid JSON') as e: MIST.load(pt)
    assert 'model.json' in str(e.value)


def test_card_without_sha256(tmp_path):
    pt = copy_model(QR, tmp_path)
    card = json.loads((tmp_path / 'model.json').read_text())
    del card['weights_sha256']
    (tmp_path / 'model.json').write_text(json.dumps(card))
    with pytest.raises(ValueError, match='weights_sha256'): MIST.load(pt)


def test_calibration_file_that_is_not_json(tmp_path):
    pt = copy_model(QR, tmp_path)
    (tmp_path / 'model.calibration.json').write_text('{"buckets": {')
    with pytest.raises(ValueError, match='not valid JSON') as e: MIST.load(pt)
    assert 'model.calibration.json' in str(e.value)


@pytest.mark.parametrize('cal', [{'buckets': 3}, {'buckets': {}, 'pooled': {'0.9': 'x'}}, {'buckets': {'n10-d2': {'0.9': 1.0}}}])
def test_calibration_file_of_the_wrong_shape(tmp_path, cal):
    pt = copy_model(QR, tmp_path)
    (tmp_path / 'model.calibration.json').write_text(json.dumps(cal))
    with pytest.raises(ValueError, match='expected shape') as e: MIST.load(pt)
    assert 'model.calibration.json' in str(e.value)


@pytest.mark.parametrize('sides', [3, {'lower': {}, 'upper': {}}, {'lower': {'n10-d2': {'0.9': float('nan')}}, 'upper': {}, 'pooled_lower': {'0.9': 0.1},
                                                                    'pooled_upper': {'0.9': 0.1}}])
def test_calibration_file_with_malformed_sides(tmp_path, sides):
    pt = copy_model(QR, tmp_path)
    cal = json.loads((tmp_path / 'model.calibration.json').read_text())
    cal['sides'] = sides
    (tmp_path / 'model.calibration.json').write_text(json.dumps(cal))
    with pytest.raises(ValueError, match="malformed 'sides'") as e: MIST.load(pt)
    assert 'model.calibration.json' in str(e.value)


def test_quantile_model_without_calibration_says_so(tmp_path):
    pt = copy_model(QR, tmp_path, calibration=False)
    est = MIST.load(pt)
    assert est.is_quantile and est.calibration is None
    datasets = [gaussian_pair(n, seed=n) for n in (20, 400, 2500)] + [gaussian_pair(60, rho=0.0, seed=1, dx=2, dy=3)]
    results = [est.estimate_with_info(x, y, 0.9) for x, y in datasets]
    results += est.estimate_batch(datasets, level=0.8)
    results.append(estimate_mi(*datasets[1], model=est))
    for r in results:
        assert r.lower is not None
        assert any('no calibration file' in n for n in r.notes), r.notes


def test_directory_and_missing_path(tmp_path):
    with pytest.raises(ValueError, match='is a directory'): MIST.load(tmp_path)
    with pytest.raises(FileNotFoundError): MIST.load(tmp_path / 'no-such-model.pt')


# ---------------------------------------------------------------- inputs and API

def test_nan_taus_and_bad_levels(qr):
    x, y = gaussian_pair(100)
    with pytest.raises(ValueError, match='finite'): qr.quantiles(x, y, taus=[float('nan')])
    for level in (float('nan'), 1.5):
        with pytest.raises(ValueError, match='between 0.5 and 0.99'): qr.interval(x, y, level=level)
        with pytest.raises(ValueError, match='between 0.5 and 0.99'): qr.estimate_with_info(x, y, level=level)


def test_module_rejects_bad_tensors(qr):
    x, y = (torch.tensor(a, dtype=torch.float32) for a in gaussian_pair(50))
    xn = x.clone(); xn[3, 0] = float('nan')
    with pytest.raises(ValueError, match='NaN'): qr.module(xn, y)
    xc = torch.cat([x, torch.ones(50, 1)], 1)
    with pytest.raises(ValueError, match='constant column'): qr.module(xc, y)
    with pytest.raises(ValueError, match='too few rows'): qr.module(x[:3], y[:3])


def test_one_row_is_too_few_not_constant(qr):
    with pytest.raises(ValueError, match='too few rows: n=1'): qr.estimate(np.array([1.0]), np.array([2.0]))
    with pytest.raises(ValueError, match='too few rows: n=1'): estimate_mi(np.array([[1.0, 2.0]]), np.array([[3.0]]))
    with pytest.raises(ValueError, match='too few rows: n=1'): qr.module(torch.ones(1, 2), torch.ones(1, 1))


@pytest.mark.parametrize('name', ['mist-qr', 'mist'])
def test_offsets_and_scales_do_not_change_the_estimate(name):
    est = MIST.load(name)
    x, y = gaussian_pair(400, rho=0.8, seed=3, dx=2, dy=1)
    assert x.dtype == np.float64
    ref = est.estimate_with_info(x, y).mi
    assert ref > 0.3
    for c in (1e-6, 1e6):
        for b in (0.0, 1e6):
            got = est.estimate_with_info(c * x + b, c * y + b).mi
            assert abs(got - ref) < 0.01, (name, c, b, got, ref)
    # scales whose squares overflow float64 (or underflow): the interval must not move either
    r = est.estimate_with_info(x, y, 0.9)
    for c in (1e-200, 1e200, 1e300):
        got = est.estimate_with_info(c * x, y, 0.9)
        assert abs(got.mi - r.mi) < 0.01 and (got.lower is None or abs(got.lower - r.lower) < 0.01), (name, c, got, r)
        assert not any('linear combination' in m for m in got.notes), got.notes


def test_batch_error_names_the_pair(qr):
    good = [gaussian_pair(50, seed=i) for i in range(4)]
    bad = (np.r_[np.nan, np.arange(49.)], np.arange(50.))
    with pytest.raises(ValueError, match=r'^pair 2:'): qr.estimate_batch(good[:2] + [bad] + good[2:])
    with pytest.raises(ValueError, match=r'^pair 4:'): qr.estimate_batch(good + [(np.arange(3.), np.arange(3.))], level=0.9)


P_XY = np.array([[0.20, 0.05, 0.05],
                 [0.03, 0.25, 0.02],
                 [0.05, 0.05, 0.30]])


def exact_mi(p):
    px, py = p.sum(1, keepdims=True), p.sum(0, keepdims=True)
    return float((p * np.log(p / (px * py))).sum())


def test_discrete_data_use_the_plugin_estimate(qr):
    rng = np.random.default_rng(0)
    cells = rng.choice(9, size=2000, p=P_XY.ravel())
    x, y = (cells // 3).astype(float), (cells % 3).astype(float)
    truth = exact_mi(P_XY)
    r = estimate_mi(x, y)
    assert r.model == 'plug-in (discrete)'
    assert abs(r.mi - truth) < 0.03, (r.mi, truth)
    assert r.lower <= truth <= r.upper, (r, truth)
    r2 = qr.estimate_with_info(x + 10, 3 * y, 0.9)          # labels, not values, matter
    assert r2.model == 'plug-in (discrete)' and abs(r2.mi - r.mi) < 1e-12


def test_many_distinct_values_are_not_discrete(qr):
    rng = np.random.default_rng(2)
    x = np.round(rng.normal(scale=0.42, size=442), 2)
    assert len(np.unique(x)) == 163
    y = x + rng.normal(size=442)
    r = qr.estimate_with_info(x, y)
    assert r.model != 'plug-in (discrete)'
    assert not any('is discrete' in n for n in r.notes), r.notes


def test_mixed_discrete_and_continuous(qr):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 3, size=500).astype(float)
    y = x + 0.5 * rng.normal(size=500)
    r = qr.estimate_with_info(x, y)
    assert r.model != 'plug-in (discrete)'
    assert any('is discrete' in n and 'broken at random' in n for n in r.notes), r.notes
    assert r.mi > 0.3


@pytest.mark.parametrize('name', ['mist-qr', 'mist'])
def test_a_discrete_side_bounds_the_estimate(name):
    "MI never exceeds the entropy of a discrete side: scikit-learn's wine table (3 classes) and iris."
    from sklearn.datasets import load_wine, load_iris
    est = MIST.load(name)
    for load in (load_wine, load_iris):
        d = load()
        y = d.target[:, None].astype(float)
        h = discrete_entropy(y)[0]
        r = est.estimate_with_info(d.data[:, :10], y)
        assert r.mi <= h + 1e-12
        if r.upper is not None: assert r.lower <= r.mi <= r.upper < h + 0.1


def test_sparse_discrete_tables_get_a_cross_fitted_lower_end(qr):
    "Fully discrete data with many occupied cells: the lower end drops to the cross-fitted bound, never above the plug-in."
    g = np.random.default_rng(0)
    x = g.integers(0, 30, (120, 1)).astype(float)
    y = np.where(g.random((120, 1)) < 0.9, x % 3, g.integers(0, 3, (120, 1))).astype(float)
    r = qr.estimate_with_info(x, y)
    b = crossfit_mi_bound(x, y, qr.seed)
    assert r.lower == pytest.approx(min(plugin_interval(x, y, 0.9, qr.seed)[0], b)) and r.lower <= r.mi <= r.upper
    assert any('cross-fitted' in m for m in r.notes)
    assert r.upper <= math.log(3) + 0.1 and any('capped' in m for m in r.notes)   # the upper end: H(y), not the plug-in's bootstrap
    assert crossfit_mi_bound(x, g.permutation(y), 1) < 0.05          # independent: the bound is near 0


def test_a_label_made_from_the_data_reads_through_the_classifier_bound(qr):
    "A label that is an exact function of the continuous side (XOR, I = ln 2): the mixed k-NN estimate reads low near the boundary; the classifier bound lifts it and the interval reaches ln 2; batch and single calls agree."
    g = np.random.default_rng(5)
    x = g.normal(size=(1000, 2)); y = (x[:, 0] * x[:, 1] > 0).astype(float)
    r = qr.estimate_with_info(x, y)
    assert any('cross-fitted logistic classifier' in m for m in r.notes), r.notes
    assert 0.65 < r.mi <= math.log(2) + 0.01 and r.lower <= math.log(2) <= r.upper and r.upper < math.log(2) + 0.02
    assert qr.estimate_batch([(x, y)])[0] == pytest.approx(r.mi)
    y1 = y.copy(); y1[0] = 2.0                                             # a stray third label of one row changes nothing much
    r1 = qr.estimate_with_info(x, y1)
    assert any('cross-fitted logistic classifier' in m for m in r1.notes) and abs(r1.mi - r.mi) < 0.01, r1.notes
    flat = 0                                                               # independent labels: the bound never lifts the estimate
    for s in range(8):
        gi = np.random.default_rng(100 + s)
        ri = qr.estimate_with_info(gi.normal(size=(400, 3)), gi.integers(0, 3, 400).astype(float))
        flat += any('cross-fitted logistic classifier' in m for m in ri.notes)
        assert ri.lower <= 0.02
    assert flat == 0


def test_sparse_discrete_tables_in_a_batch_read_as_single_calls(qr):
    "estimate_batch batches the ranks' passes of sparse discrete tables: the same estimates, ends and notes as single calls (to float32 rounding)."
    g = np.random.default_rng(3)
    pairs = []
    for i in range(6):
        x = g.integers(0, 20, (int(g.integers(150, 400)), 3)).astype(float)
        pairs.append((x, x + g.integers(0, 3, x.shape) if i % 2 else g.integers(0, 20, x.shape).astype(float)))
    pairs.append((g.normal(size=(200, 2)), g.normal(size=(200, 1))))
    single, batch = [qr.estimate_with_info(x, y, 0.9) for x, y in pairs], qr.estimate_batch(pairs, level=0.9)
    for a, b in zip(single, batch):
        assert (b.mi, b.lower, b.upper) == pytest.approx((a.mi, a.lower, a.upper), abs=1e-5) and a.notes == b.notes
    assert sum(any('no plug-in can estimate' in m for m in r.notes) for r in batch) == 6
    assert qr.estimate_batch(pairs) == pytest.approx([qr.estimate(x, y) for x, y in pairs], abs=1e-5)


def test_point_estimate_is_inside_the_interval_on_many_small_datasets(qr):
    rng = np.random.default_rng(2024)
    pairs = []
    for i in range(2000):
        n, dx, dy = int(rng.integers(10, 61)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        x = rng.normal(size=(n, dx))
        if i % 2: y = rng.normal(size=(n, dy))                                     # independent
        else: y = rng.uniform(0.1, 2) * x[:, rng.integers(0, dx, dy)] + rng.uniform(0.05, 2) * rng.normal(size=(n, dy))
        if i % 7 == 0: x = np.exp(x)                                               # skewed marginals
        pairs.append((x, y))
    res = qr.estimate_batch(pairs, level=0.9)
    assert len(res) == len(pairs)
    bad = [(i, r) for i, r in enumerate(res) if not (r.lower <= r.mi <= r.upper)]
    assert not bad, bad[:5]
    ind = np.array([r.lower for r in res[1::2]])
    assert np.quantile(ind, 0.5) <= 0.05


def test_exact_functional_dependence_is_infinite(qr):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    r = qr.estimate_with_info(x, -2 * x[:, 0] + 5)
    assert r.mi == math.inf and r.upper == math.inf
    assert any('exact copy' in n for n in r.notes), r.notes
    r = qr.estimate_with_info(x, np.exp(x[:, 0]))                   # a monotone copy: the data cannot bound MI above
    assert math.isfinite(r.mi) and r.mi > 2 and r.upper == math.inf
    assert any('monotone function' in n for n in r.notes), r.notes


def test_dependence_sanity(qr):
    x, y = gaussian_pair(500, rho=0.9, seed=11)
    assert qr.estimate(x, y) > 0.3
    rng = np.random.default_rng(12)
    assert qr.estimate_with_info(rng.normal(size=500), rng.normal(size=500)).lower <= 0.05


def test_independence_test_is_seeded(qr):
    x, y = gaussian_pair(80, rho=0.0, seed=5)
    p1 = independence_test(x, y, n_permutations=29, seed=3, model=qr)
    p2 = independence_test(x, y, n_permutations=29, seed=3, model=qr)
    assert p1 == p2 and 0 < p1 <= 1
    xd, yd = gaussian_pair(80, rho=0.9, seed=5)
    pd_ = independence_test(xd, yd, n_permutations=29, seed=3, model=qr)
    assert 0 < pd_ <= 1 and pd_ == pytest.approx(1 / 30)
    with pytest.raises(ValueError, match='n_permutations'): independence_test(x, y, n_permutations=0, model=qr)


# ---------------------------------------------------------------- CLI

def cli(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(rc, err):
    assert rc == 2, err
    assert 'Traceback' not in err
    assert len(err.strip().splitlines()) == 1, err


def test_cli_empty_directory_and_garbage_files(tmp_path, capsys):
    empty = tmp_path / 'empty.csv'; empty.write_bytes(b'')
    rc, _, err = cli(capsys, 'estimate', empty, '--x', 'a', '--y', 'b')
    one_line_error(rc, err); assert 'is empty' in err
    d = tmp_path / 'dir.csv'; d.mkdir()
    rc, _, err = cli(capsys, 'estimate', d, '--x', 'a', '--y', 'b')
    one_line_error(rc, err); assert 'is a directory' in err
    for i, payload in enumerate([np.random.default_rng(0).bytes(4096), b'\x00' * 512, b'a,b\n"1,2\n3,4\n' + b'\xff' * 64]):
        g = tmp_path / f'garbage{i}.csv'; g.write_bytes(payload)
        rc, _, err = cli(capsys, 'estimate', g, '--x', 'a', '--y', 'b')
        one_line_error(rc, err)
    for suffix in ('.parquet', '.npz'):
        g = tmp_path / f'garbage{suffix}'; g.write_bytes(np.random.default_rng(1).bytes(4096))
        rc, _, err = cli(capsys, 'estimate', g, '--x', 'a', '--y', 'b')
        one_line_error(rc, err)


def test_cli_headerless_csv(tmp_path, capsys):
    x, y = gaussian_pair(60, seed=2)
    f = tmp_path / 'nohdr.csv'
    f.write_text('\n'.join(f'{a:.6f},{b:.6f}' for a, b in zip(x[:, 0], y[:, 0])) + '\n')
    rc, _, err = cli(capsys, 'estimate', f, '--x', '0', '--y', '1')
    one_line_error(rc, err); assert '--no-header' in err
    rc, out, err = cli(capsys, 'estimate', f, '--x', '0', '--y', '1', '--no-header', '--json')
    assert rc == 0, err
    assert json.loads(out)['n'] == len(f.read_text().splitlines()) == 60


def strict_loads(s):
    return json.loads(s, parse_constant=lambda c: pytest.fail(f'non-strict JSON constant {c} in output'))


def test_cli_json_is_strict_for_infinite_values(tmp_path, capsys):
    import pandas as pd
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    df = pd.DataFrame(dict(a=a, b=3 * a + 1, g=np.repeat(['u', 'v'], 100)))
    df.to_csv(tmp_path / 'f.csv', index=False)
    rc, out, err = cli(capsys, 'estimate', tmp_path / 'f.csv', '--x', 'a', '--y', 'b', '--json')
    assert rc == 0, err
    d = strict_loads(out)
    assert d['mi'] is None and d['upper'] is None
    assert any('written as null' in n for n in d['notes']), d['notes']
    rc, out, err = cli(capsys, 'estimate', tmp_path / 'f.csv', '--x', 'a', '--y', 'b', '--by', 'g', '--json')
    assert rc == 0, err
    rows = strict_loads(out)
    assert [r['group'] for r in rows] == ['u', 'v'] and all(r['mi'] is None for r in rows)
    rc, out, err = cli(capsys, 'estimate', tmp_path / 'f.csv', '--x', 'a', '--y', 'b')
    assert rc == 0 and 'inf' in out


def test_cli_prints_each_note_once(tmp_path, capsys):
    import pandas as pd
    rng = np.random.default_rng(3)
    a = rng.integers(0, 3, size=300)
    pd.DataFrame(dict(a=a, b=a + rng.normal(size=300))).to_csv(tmp_path / 'd.csv', index=False)
    rc, out, err = cli(capsys, 'estimate', tmp_path / 'd.csv', '--x', 'a', '--y', 'b')
    assert rc == 0, err
    assert (out + err).count('is discrete') == 1, out + err
    assert 'UserWarning' not in out + err


def test_cli_by_with_a_group_too_small(tmp_path, capsys):
    import pandas as pd
    x, y = gaussian_pair(103, seed=4)
    df = pd.DataFrame(dict(a=x[:, 0], b=y[:, 0], site=['big'] * 100 + ['tinysite'] * 3))
    df.to_csv(tmp_path / 'g.csv', index=False)
    rc, _, err = cli(capsys, 'estimate', tmp_path / 'g.csv', '--x', 'a', '--y', 'b', '--by', 'site')
    one_line_error(rc, err); assert 'tinysite' in err
    rc, out, err = cli(capsys, 'estimate', tmp_path / 'g.csv', '--x', 'a', '--y', 'b', '--by', 'site', '--skip-invalid')
    assert rc == 0, err
    assert any('tinysite' in line and 'skipped' in line for line in out.splitlines() if 'note' in line), out
    rc, out, err = cli(capsys, 'estimate', tmp_path / 'g.csv', '--x', 'a', '--y', 'b', '--by', 'site', '--skip-invalid', '--json')
    assert rc == 0, err
    d = strict_loads(out)
    assert [r['group'] for r in d['results']] == ['big'] and any('tinysite' in n for n in d['notes'])


def test_cli_reads_standard_input(monkeypatch, capsys):
    x, y = gaussian_pair(80, seed=6)
    text = 'a,b\n' + '\n'.join(f'{p:.6f},{q:.6f}' for p, q in zip(x[:, 0], y[:, 0])) + '\n'
    monkeypatch.setattr(sys, 'stdin', io.StringIO(text))
    rc, out, err = cli(capsys, 'estimate', '-', '--x', 'a', '--y', 'b', '--json')
    assert rc == 0, err
    assert strict_loads(out)['n'] == 80


# ---------------------------------------------------------------- sklearn

def test_mutual_info_score_in_select_k_best():
    from sklearn.feature_selection import SelectKBest
    from mist_nb.sklearn import mutual_info_score
    rng = np.random.default_rng(0)
    n = 200
    X = np.c_[rng.normal(size=n), rng.normal(size=n), np.full(n, 3.0)]
    y = X[:, 0] + 0.3 * rng.normal(size=n)
    sel = SelectKBest(score_func=mutual_info_score, k=1).fit(X, y)
    assert sel.scores_.shape == (X.shape[1],)
    assert sel.scores_[2] == 0.0
    assert sel.get_support().tolist() == [True, False, False]
    with pytest.raises(ValueError): mutual_info_score(X, y[:-1])


def test_mutual_info_matrix():
    import pandas as pd, xarray as xr
    from mist_nb.sklearn import mutual_info_matrix
    rng = np.random.default_rng(1)
    a = rng.normal(size=150)
    df = pd.DataFrame(dict(a=a, b=a + 0.5 * rng.normal(size=150), c=rng.normal(size=150), d=rng.uniform(size=150)))
    m = mutual_info_matrix(df)
    assert isinstance(m, xr.DataArray) and m.shape == (4, 4)
    v = m.values
    assert np.isnan(np.diag(v)).all()
    off = ~np.eye(4, dtype=bool)
    assert np.isfinite(v[off]).all() and np.allclose(v[off], v.T[off])
    assert m.attrs['units'] == 'nats'
    assert list(m.coords['var'].values) == ['a', 'b', 'c', 'd']
    assert v[0, 1] > 0.3


def test_mutual_info_matrix_with_missing_values():
    "A table with missing values: an error by default; missing='drop' estimates each pair on its complete rows."
    import pandas as pd
    from mist_nb.sklearn import mutual_info_matrix
    rng = np.random.default_rng(2)
    a = rng.normal(size=200)
    df = pd.DataFrame(dict(a=a, b=a + 0.5 * rng.normal(size=200), c=rng.normal(size=200)))
    df.loc[:19, 'b'] = np.nan; df.loc[150:, 'c'] = np.nan
    with pytest.raises(ValueError, match='NaN'): mutual_info_matrix(df)
    m = mutual_info_matrix(df, missing='drop')
    same = lambda u, v, rows: float(m.sel(var=u, var2=v)) == pytest.approx(float(mutual_info_matrix(df.loc[rows, [u, v]]).sel(var=u, var2=v)), abs=1e-6)
    assert same('a', 'b', df.index[20:]) and same('b', 'c', df.index[20:150])   # (batches pad rows: float32-level differences)
    assert '(130-180 of 200)' in m.attrs['missing']


def test_fully_discrete_data_with_many_cells_are_not_read_far_high(qr):
    "Likert-style answers (3 items against 1, 5 levels): the sample fills many cells; Chao-Shen entropies keep the estimate near the truth."
    from mist_nb.estimate import plugin_mi
    cuts = [-1.2, -0.4, 0.4, 1.2]
    def draw(n, rng):
        zx = rng.normal(size=(n, 3)); zy = 0.6 * zx[:, :1] + 0.8 * rng.normal(size=(n, 1))
        return np.digitize(zx, cuts).astype(float), np.digitize(zy, cuts).astype(float)
    X, Y = draw(1_000_000, np.random.default_rng(7))
    h = lambda a: (lambda c: float(-(c / c.sum() * np.log(c / c.sum())).sum()))(np.unique(a, axis=0, return_counts=True)[1])
    truth = h(X) + h(Y) - h(np.c_[X, Y])                                      # 0.183 nats (plug-in on a million rows)
    errs, old, hits = [], [], []
    for s in range(5):
        x, y = draw(300, np.random.default_rng(s))
        r = qr.estimate_with_info(x, y)
        assert r.model == 'plug-in (discrete)' and 'Chao-Shen' in r.notes[0]
        errs.append(abs(r.mi - truth)); old.append(abs(plugin_mi(x, y) - truth)); hits.append(r.lower <= truth <= r.upper)
    assert np.mean(old) > 0.3 and np.mean(errs) < 0.15 and sum(hits) >= 4, (truth, errs, old, hits)


def test_wide_tied_tables_scan_their_columns_once(monkeypatch):
    "`copied_rows` looks for functions of columns once per table, not once per column (it was quadratic: 9 s on scikit-learn's digits)."
    import mist_nb.estimate as E
    calls = []
    real = E.function_columns
    monkeypatch.setattr(E, 'function_columns', lambda *a, **k: calls.append(1) or real(*a, **k))
    a = np.random.default_rng(0).integers(0, 5, size=(300, 40)).astype(float)
    E.copied_rows(a[:, :30], a[:, 30:])
    assert len(calls) == 1


def test_sparse_discrete_tables_read_through_ranks(qr):
    "Several discrete columns a side, most combinations seen once: no plug-in can work, the network reads the ranks (ties broken per column)."
    g = np.random.default_rng(5)
    x = g.integers(0, 3, (800, 8)).astype(float)
    r = qr.estimate_with_info(x, g.integers(0, 3, (800, 8)).astype(float))         # independent sides
    assert r.model == 'mist-qr' and r.mi < 0.15 and r.lower <= 0.02 and any('no plug-in' in m for m in r.notes)
    y = (x + g.integers(0, 2, x.shape)).astype(float)                               # 8 columns y_j = x_j + b_j
    p = np.bincount((np.arange(3)[:, None] + np.arange(2)[None]).ravel()) / 6
    truth = 8 * (-(p * np.log(p)).sum() - math.log(2))
    r = qr.estimate_with_info(x, y)
    assert r.lower <= truth and r.mi < truth   # 3.64 for 5.09 nats: read low (Chao-Shen reads 5.96 here; over 246 sparse samples it is the worse)
    # its upper end (4.16) falls short too: no widening sees what the network misses here, and since the upper factors are fitted
    # after the widenings no excess width covers it (before: covered). Over the 141 sparse samples of scripts/discrete_tables.py
    # the 90% interval covers 0.89 (median width 1.9 nats; before 0.99 at 3.0)
    assert qr.estimate_with_info(x[:, :1], y[:, :1]).model == 'plug-in (discrete)'   # one column a side: the plug-in
