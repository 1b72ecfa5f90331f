"The public estimator API: loading, protocol, intervals, batches, bad input, symmetries of the shipped models."
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

import mist_nb
from mist_nb import MIST, estimate_mi, MIResult
from mist_nb.core import file_sha256
from mist_nb.estimate import resolve_checkpoint, load_model
from mist_nb.model import symmetry_errors
from mist_nb.sampling import get_task


@pytest.fixture(scope='module')
def qr(): return MIST.load()


@pytest.fixture(scope='module')
def point(): return MIST.load('mist')


@pytest.fixture(scope='module')
def sample():
    x, y = get_task('multinormal-sparse-3-3-2-2.0').sample(400, seed=5)
    return x, y


def test_top_level_api():
    assert mist_nb.MIST is MIST and mist_nb.estimate_mi is estimate_mi


def test_shipped_models_load_offline_with_cards(qr, point):
    assert qr.is_quantile and not point.is_quantile
    for est in (qr, point):
        card = est.card
        assert card['units'] == 'nats' and card['datasets_seen'] > 1_000_000 and 'imd' in card['scores']
        assert card['hardware'] and card['git_revision'] and card['steps'] > 0


def test_bmi_protocol_and_result(qr, sample):
    x, y = sample
    truth = get_task('multinormal-sparse-3-3-2-2.0').mutual_information
    est = qr.estimate(x, y)
    assert isinstance(est, float) and abs(est - truth) < 0.25
    r = qr.estimate_with_info(x, y, level=0.9)
    assert isinstance(r, MIResult) and r.lower <= r.mi <= r.upper and r.level == 0.9
    assert (r.n, r.dim_x, r.dim_y, r.model) == (400, 3, 3, 'mist-qr')
    r80 = qr.estimate_with_info(x, y, level=0.8)
    assert r80.lower >= r.lower and r80.upper <= r.upper
    q = qr.quantiles(x, y, [0.05, 0.5, 0.95])
    assert q[0] <= q[1] <= q[2] and abs(q[1] - est) < 1e-6


@pytest.mark.parametrize('case', ['gaussian', 'label-x', 'mixed-x', 'parabola'])
def test_the_point_alone_is_the_point_of_the_full_estimate(qr, case):
    g = np.random.default_rng(11)
    z = g.normal(size=(600, 3))
    x, y = {'gaussian': (z[:, :2], z[:, :1] + z[:, 2:] + 0.5 * g.normal(size=(600, 1))),
            'label-x': ((z[:, 0] > 0).astype(int), z[:, 0] + g.normal(size=600)),
            'mixed-x': (np.c_[(z[:, 0] > 0).astype(int), z[:, 1]], z[:, 0] + z[:, 1] + g.normal(size=600)),
            'parabola': (z[:, 0], z[:, 0] ** 2 + 0.3 * g.normal(size=600))}[case]
    full, alone = estimate_mi(x, y), estimate_mi(x, y, interval=False)
    assert alone.mi == full.mi == qr.estimate(x, y) and full.lower is not None
    assert (alone.lower, alone.upper, alone.level) == (None, None, None) and alone.model == 'mist-qr'
    assert qr.estimate_with_info(x, y, interval=False).mi == full.mi

def test_estimate_mi_accepts_many_input_types(sample):
    import pandas as pd
    x, y = sample
    ref = estimate_mi(x, y).mi
    assert abs(estimate_mi(torch.tensor(x), torch.tensor(y)).mi - ref) < 1e-4
    assert abs(estimate_mi(x.astype(np.float32), y.astype(np.float32)).mi - ref) < 1e-4
    assert abs(estimate_mi(pd.DataFrame(x), pd.DataFrame(y)).mi - ref) < 1e-4
    assert abs(estimate_mi(x.tolist(), y.tolist()).mi - ref) < 1e-4
    r = estimate_mi(x[:, 0], y[:, 0])
    assert (r.dim_x, r.dim_y) == (1, 1)


def test_labels_and_booleans_in_a_table(qr):
    "Booleans count as 0/1; a column of labels is coded by frequency with a note; renaming labels changes nothing; too many labels is an error."
    import pandas as pd
    rng = np.random.default_rng(3)
    n = 400
    site = rng.choice(['north', 'south', 'east', 'west'], n, p=[0.4, 0.3, 0.2, 0.1])
    eff = pd.Series(site).map({'north': 0., 'south': 1., 'east': -1., 'west': 2.}).to_numpy()
    treated = rng.random(n) < 0.5
    dose = rng.normal(size=n)
    y = eff + dose + treated + rng.normal(size=n)
    df = pd.DataFrame({'dose': dose, 'site': site, 'treated': treated})
    r = qr.estimate_with_info(df, y, 0.9)
    codes = pd.Series(site).map({'north': 0., 'south': 1., 'east': 2., 'west': 3.}).to_numpy()
    ref = qr.estimate_with_info(np.c_[dose, codes, treated.astype(float)], y, 0.9)
    assert (r.mi, r.lower, r.upper) == (ref.mi, ref.lower, ref.upper)
    assert any("x[:, 1] ('site') holds 4 labels ('north', 'south', 'east', 'west')" in m for m in r.notes)
    renamed = df.assign(site=df.site.map({'north': 'b', 'south': 'd', 'east': 'a', 'west': 'c'}).astype('category'))
    r2 = qr.estimate_with_info(renamed, y, 0.9)
    assert (r2.mi, r2.lower, r2.upper) == (r.mi, r.lower, r.upper)
    assert 0.3 < r.mi and r.lower < r.mi < r.upper
    with pytest.raises(ValueError, match=r"x\[:, 1\] \('site'\) is not numeric: 400 distinct labels"):
        qr.estimate(df.assign(site=[f's{i}' for i in range(n)]), y)
    with pytest.raises(ValueError, match=r"x\[:, 1\] \('site'\) has 1 missing labels"):
        qr.estimate(df.assign(site=df.site.where(np.arange(n) > 0)), y)


def test_point_model(point, sample):
    r = point.estimate_with_info(*sample)
    assert r.lower is None and r.upper is None and r.mi > 0
    with pytest.raises(ValueError, match='point estimates only'): point.interval(*sample)


def test_estimate_batch_matches_single_calls(qr):
    pairs = [get_task(t).sample(n, seed=i) for i, (t, n) in enumerate(
        [('1v1-normal-0.75', 30), ('1v1-normal-0.75', 33), ('multinormal-dense-3-3-0.5', 100), ('student-identity-2-2-1', 250),
         ('multinormal-dense-3-3-0.5', 120), ('swissroll_x-normal_cdf-1v1-normal-0.75', 80)])]
    batch = qr.estimate_batch(pairs)
    single = np.array([qr.estimate(x, y) for x, y in pairs])
    assert np.allclose(batch, single, atol=1e-4)
    res = qr.estimate_batch(pairs, level=0.9)
    assert all(r.lower <= r.mi <= r.upper for r in res)


def test_large_n_runs_in_linear_memory(qr):
    x, y = get_task('multinormal-dense-3-3-0.5').sample(100_000, seed=0)
    r = qr.estimate_with_info(x, y)
    assert abs(r.mi - get_task('multinormal-dense-3-3-0.5').mutual_information) < 0.1


def test_small_n_warns_and_widens(qr):
    x, y = get_task('1v1-normal-0.75').sample(7, seed=0)
    r = qr.estimate_with_info(x, y)
    assert r.lower == 0.0 and r.upper == math.inf and any('below the trained range' in m for m in r.notes)


@pytest.mark.parametrize('n', [5, 6, 9])
def test_below_the_trained_n_the_estimate_stays_under_ln_n(qr, n):
    "Independent columns that share their ranks by chance (likely at n = 5) once read as 9.2 nats; no estimate from n < 10 rows exceeds ln n."
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 2)); y = np.sort(rng.normal(size=n))[np.argsort(np.argsort(x[:, 0]))][:, None]   # y's ranks = x[:, 0]'s
    for r in (qr.estimate_with_info(x, y), qr.estimate_with_info(x, y, 0.5)):
        assert r.mi <= math.log(n) + 1e-12 and (r.lower, r.upper) == (0.0, math.inf), r
    assert max(qr.estimate_batch([(x, y), (x[:, :1], y)])) <= math.log(n) + 1e-12


def test_more_columns_than_rows_give_the_same_estimate_on_any_thread_count():
    "With n <= d the columns kept were chosen by rounding noise, so one imd cell read 2.04 nats on one BLAS thread and 2.29 on two."
    code = ("import numpy as np, torch; from mist_nb import MIST; torch.set_num_threads({t}); "
            "from mist_nb.evaluate import imd_grid; x, y = imd_grid().sample(('normal-dense-base', 10, 32, 0))[:2]; "
            "r = MIST.load().estimate_with_info(x, y); print(repr(r.mi), [m[:40] for m in r.notes])")
    out = []
    for t in (1, 2):
        env = {**os.environ, 'OMP_NUM_THREADS': str(t), 'OPENBLAS_NUM_THREADS': str(t), 'MKL_NUM_THREADS': str(t)}
        res = subprocess.run([sys.executable, '-c', code.format(t=t)], capture_output=True, text=True, env=env, timeout=300)
        assert res.returncode == 0, res.stderr
        out.append(res.stdout.split(' ', 1))
    assert out[0][1] == out[1][1]                                       # the same columns dropped, the same notes
    assert math.isclose(float(out[0][0]), float(out[1][0]), rel_tol=1e-5), out


def test_beyond_ln_n_interval_is_open(qr):
    t = get_task('multinormal-sparse-25-25-2-2.0')
    x, y = t.sample(12, seed=0)
    x = np.c_[x[:, :2], x[:, :2] + 1e-3 * np.random.default_rng(0).normal(size=(12, 2))]  # near-deterministic
    y = np.c_[x[:, :1] * 2 + 1e-4 * np.random.default_rng(1).normal(size=(12, 1))]
    r = qr.estimate_with_info(x, y)
    if r.mi > math.log(12):
        assert r.upper == math.inf and any('ln(n)' in n for n in r.notes)


@pytest.mark.parametrize('x, y, msg', [
    (np.r_[np.nan, np.arange(19.)], np.arange(20.), r'x\[:, 0\] contains NaN'),
    (np.arange(20.), np.c_[np.arange(20.), np.r_[np.inf, np.arange(19.)]], r'y\[:, 1\] contains infinite'),
    (np.arange(20.), np.arange(21.), 'same number of rows'),
    (np.zeros((0, 2)), np.zeros((0, 1)), 'empty'),
    (np.zeros((4, 2, 2)), np.arange(4.), '3-D'),
    (np.c_[np.ones(20), np.ones(20)], np.arange(20.), r'every column of x is constant: .* I\(X;Y\) = 0 exactly'),
    (np.arange(20.), np.full(20, 3.0), r'y\[:, 0\] is constant'),
    (np.array([f'id{i}' for i in range(20)]), np.arange(20.), r'x\[:, 0\] is not numeric: 20 distinct labels'),
    (np.array(['2024-01-01', 'NaT'] * 10, dtype='datetime64[D]'), np.arange(20.), r'x\[:, 0\] has 10 missing times'),
    (np.arange(3.), np.arange(3.), 'too few rows'),
])
def test_bad_input_is_named(qr, x, y, msg):
    with pytest.raises(ValueError, match=msg): qr.estimate(x, y)


def test_constant_columns_are_dropped_and_large_integers_keep_their_differences(qr):
    "A constant column beside others leaves the estimate as it is (with a note); integers past 2^53 (ns timestamps, ids) are not merged by the float cast."
    rng = np.random.default_rng(4)
    z = rng.normal(size=400); x, y = np.c_[z, rng.normal(size=400)], 0.8 * z + 0.6 * rng.normal(size=400)
    a, b = qr.estimate_with_info(x, y), qr.estimate_with_info(np.c_[x[:, :1], np.full(400, 7.0), x[:, 1:]], y)
    assert (a.mi, a.lower, a.upper) == (b.mi, b.lower, b.upper)
    assert any('x[:, 1] is constant: dropped' in m and 'number the 2 x columns left' in m for m in b.notes), b.notes
    import pandas as pd
    ns = np.int64(1_700_000_000_000_000_000) + (z * 1e6).astype(np.int64)            # nanoseconds since 1970, microsecond-scale spread
    c = qr.estimate_with_info(pd.DataFrame({'t': ns, 'u': x[:, 1]}), y)
    d = qr.estimate_with_info(np.c_[(ns - ns.min()).astype(float), x[:, 1]], y)
    assert (c.mi, c.lower, c.upper) == (d.mi, d.lower, d.upper) and not any('tied' in m for m in c.notes), c.notes
    assert len(np.unique(ns.astype(float))) < 400 == len(np.unique(ns))                 # the plain cast would have merged values
    big = [2 ** 70 + int(v) for v in (z * 1e6).astype(np.int64)]                         # Python ints beyond int64
    e = qr.estimate_with_info(big, y)
    assert (e.mi, e.lower, e.upper) == (qr.estimate_with_info(z, y).mi, qr.estimate_with_info(z, y).lower, qr.estimate_with_info(z, y).upper)


def test_a_wide_side_keeps_the_dependence_of_one_column(qr):
    "Beyond 32 columns the components are a lower bound; the column-pair check reads the columns as given, so one strong column is not lost among 500 (batch too)."
    rng = np.random.default_rng(6)
    x = rng.normal(size=(400, 500)); y = 0.8 * x[:, 123] + 0.6 * rng.normal(size=400)     # 0.511 nats, all in x[:, 123]
    r, one = qr.estimate_with_info(x, y), qr.estimate_with_info(x[:, 123], y)
    assert r.mi == one.mi and r.lower == one.lower > 0.2 and r.upper == math.inf and abs(r.mi - 0.511) < 0.15, (r, one)
    assert any('x[:, 123] (a column as given) and y[:, 0] alone' in m for m in r.notes), r.notes
    b = qr.estimate_batch([(x, y), (x[:, :40], rng.normal(size=400))], level=0.9)
    assert b[0].mi == r.mi and math.isclose(b[0].lower, r.lower, rel_tol=1e-5, abs_tol=1e-6) and b[0].upper == math.inf and b[1].lower == 0
    z = qr.estimate_with_info(rng.normal(size=(400, 500)), y)                                 # independent: no pair passes the screen
    assert z.lower == 0 and not any('as given' in m for m in z.notes), z


def test_an_ordered_category_is_coded_in_its_order(qr):
    "pandas.cut bins and Likert levels keep their declared order: the same estimate as their codes, a tighter interval than frequency codes."
    import pandas as pd
    rng = np.random.default_rng(8)
    z = rng.normal(size=400); y = 0.8 * z + 0.6 * rng.normal(size=400)
    bins = pd.Series(pd.cut(z, 5))
    a, b = qr.estimate_with_info(bins, y), qr.estimate_with_info(bins.cat.codes.to_numpy(), y)
    assert (a.mi, a.lower, a.upper) == (b.mi, b.lower, b.upper) and any('ordered category (5 levels' in m for m in a.notes), a.notes
    c = qr.estimate_with_info(bins.cat.as_unordered(), y)                                     # labels: the same point, frequency codes
    assert c.mi == a.mi and any('holds 5 labels' in m for m in c.notes), c.notes
    missing = bins.copy(); missing.iloc[3] = np.nan
    with pytest.raises(ValueError, match=r'x\[:, 0\] contains NaN'): qr.estimate(missing, y)
    from mist_nb import estimate_mi
    assert estimate_mi(missing, y, missing='drop', model=qr).n == 399


def test_beyond_a_million_rows_a_seeded_subset_is_read():
    "n > MAX_ROWS: a seeded subset of MAX_ROWS rows (the first SERIAL_ROWS in order, so a series is still seen as one), with a note."
    from mist_nb.estimate import check_pair, MAX_ROWS, CAP_HEAD, SERIAL_ROWS, serial_dependence
    rng = np.random.default_rng(9)
    n = MAX_ROWS + 5_000
    walk = np.cumsum(rng.normal(size=(n, 2)), axis=0).astype(np.float32)              # two independent random walks, in time order
    x, y, notes = check_pair(walk[:, :1], walk[:, 1:])
    assert len(x) == MAX_ROWS and SERIAL_ROWS <= CAP_HEAD and np.array_equal(x[:CAP_HEAD, 0], walk[:CAP_HEAD, 0].astype(np.float64))
    assert any(m.startswith(f"n = {n:,} rows: read through a seeded subset of {MAX_ROWS:,}") for m in notes), notes
    assert serial_dependence(x, y) is not None                                          # the order of the first rows is kept
    assert np.array_equal(check_pair(walk[:, :1], walk[:, 1:])[0], x) and not np.array_equal(check_pair(walk[:, :1], walk[:, 1:], seed=1)[0], x)


def test_times_are_used_as_numbers(qr):
    "A column of dates (with a time zone) gives exactly the estimate of the same instants as seconds, with a note."
    import pandas as pd
    rng = np.random.default_rng(2)
    secs = np.sort(rng.uniform(0, 3e7, 300)).round()
    t = pd.to_datetime(secs, unit='s').tz_localize('UTC').tz_convert('America/New_York')
    y = np.sin(secs / 3e6) + 0.3 * rng.normal(size=300)
    a, b = qr.estimate_with_info(pd.DataFrame({'when': t}), y), qr.estimate_with_info(secs, y)
    assert (a.mi, a.lower, a.upper) == (b.mi, b.lower, b.upper) and any("('when') holds dates or times" in m for m in a.notes)


def test_discrete_columns_warn(qr):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=200); y = x + rng.normal(size=200)
    with pytest.warns(UserWarning, match=r'x\[:, 0\] is discrete \(4 distinct values'): qr.estimate(x, y)


def _label_pair(n, mu, seed, levels=2):
    "A label X (levels values) and Y = mu X + N(0, 1), with the exact MI by quadrature: h(Y) - h(N)."
    from scipy import integrate
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, n).astype(float)
    f = lambda v: np.mean([np.exp(-(v - mu * k) ** 2 / 2) for k in range(levels)]) / math.sqrt(2 * math.pi)
    h = -integrate.quad(lambda v: f(v) * math.log(f(v)), -12, mu * levels + 12, points=[mu * k for k in range(levels)], limit=200)[0]
    return x, mu * x + rng.normal(size=n), h - 0.5 * math.log(2 * math.pi * math.e)


def test_one_discrete_side_uses_the_mixed_estimator(qr):
    "A label against a continuous column: the mixed k-NN estimate (unbiased where the network reads high), inside an interval that covers."
    errs, cover = [], []
    for s in range(8):
        x, y, truth = _label_pair(1000, 2.0, seed=s)
        r = qr.estimate_with_info(x, y, level=0.9)
        assert any('mixed k-NN' in m for m in r.notes), r.notes
        assert r.lower <= r.mi <= r.upper
        errs.append(r.mi - truth); cover.append(r.lower <= truth <= r.upper)
    assert abs(np.mean(errs)) < 0.03, errs          # the network alone read about +0.08 here
    assert np.mean(cover) >= 0.75, cover
    x, y, _ = _label_pair(500, 1.5, seed=9, levels=4)
    a, b = qr.estimate_with_info(x, y, level=0.9), qr.estimate_with_info(y, x, level=0.9)
    assert a.mi == b.mi                  # X <-> Y (the network's half of the interval sees the label's ties broken with the other side's key)
    assert qr.estimate(x, np.exp(y / 3) - 7) == a.mi                            # a monotone map of the continuous side
    assert qr.estimate_batch([(x, y), (y, x)]).tolist() == [a.mi, a.mi]         # the batch takes the same path
    rng = np.random.default_rng(1)
    assert qr.estimate_with_info(rng.integers(0, 3, 800), rng.normal(size=(800, 2)), level=0.9).lower <= 0.02   # independent


def _mixed_pair(n, mu, seed, levels=2, sigma=0.5):
    "X = (D, C): a label D (levels values) beside C ~ N(0, 1); Y = mu D + C + sigma N(0, 1); exact MI by quadrature: h(Y) - h(sigma N)."
    from scipy import integrate
    rng = np.random.default_rng(seed)
    d = rng.integers(0, levels, n).astype(float); c = rng.normal(size=n)
    s = math.sqrt(1 + sigma ** 2)
    f = lambda v: np.mean([np.exp(-(v - mu * k) ** 2 / (2 * s * s)) for k in range(levels)]) / (s * math.sqrt(2 * math.pi))
    h = -integrate.quad(lambda v: f(v) * math.log(f(v)), -12 * s, mu * levels + 12 * s, points=[mu * k for k in range(levels)], limit=200)[0]
    return np.c_[d, c], mu * d + c + sigma * rng.normal(size=n), h - 0.5 * math.log(2 * math.pi * math.e * sigma ** 2)


def test_discrete_beside_continuous_columns_uses_the_chain_rule(qr):
    "A label beside a continuous column in X: I(D;Y) + sum_d p(d) I(C;Y|D=d), where the network alone read about +0.15 nats high."
    errs = []
    for s in range(8):
        x, y, truth = _mixed_pair(1000, 2.0, seed=s)
        r = qr.estimate_with_info(x, y, level=0.9)
        assert any('chain rule' in m for m in r.notes) and not any('trained on continuous data' in m for m in r.notes), r.notes
        assert r.lower <= truth <= r.upper and r.lower <= r.mi <= r.upper, (r, truth)
        errs.append(r.mi - truth)
    assert abs(np.mean(errs)) < 0.08, errs
    x, y, _ = _mixed_pair(600, 1.5, seed=9, levels=3)
    a = qr.estimate_with_info(x, y, level=0.9)
    b = qr.estimate_with_info(y, x, level=0.9)
    assert (a.mi, a.lower, a.upper) == (b.mi, b.lower, b.upper)                      # X <-> Y
    relabelled = np.c_[10 - 3 * x[:, 0], np.exp(x[:, 1])]                           # new level codes, a monotone map of C
    assert abs(qr.estimate(relabelled, y) - a.mi) < 1e-9
    assert qr.estimate(x, y) == a.mi and qr.estimate_batch([(x, y), (y, x)]).tolist() == [a.mi, a.mi]
    c = qr.estimate_batch([(x, y)], level=0.9)[0]
    assert (c.mi, c.lower, c.upper) == (a.mi, a.lower, a.upper)
    rare = x.copy(); rare[:12, 0] = 7                                                # a level of 12 rows joins the pool
    assert any('3 strata' in m for m in qr.estimate_with_info(rare, y, level=0.9).notes)
    rng = np.random.default_rng(1)
    lows = [qr.estimate_with_info(np.c_[rng.integers(0, 3, 800), rng.normal(size=(800, 2))], rng.normal(size=(800, 2)), level=0.9).lower
            for _ in range(4)]
    assert max(lows) <= 0.02, lows                                                   # independent


def _both_mixed(n, seed, mu=2.0, sig=0.5, tau=0.3, rho=0.8):
    "X = (label D, X2, G), Y = (mu D + sig N, label E = [X2 + tau N > 0], H): three independent channels, exact MI by quadrature."
    from scipy import integrate
    from scipy.stats import norm
    r = np.random.default_rng(seed)
    d = r.integers(0, 2, n).astype(float); x2 = r.normal(size=n); g = r.normal(size=n)
    y = np.c_[mu * d + sig * r.normal(size=n), (x2 + tau * r.normal(size=n) > 0).astype(float), rho * g + math.sqrt(1 - rho ** 2) * r.normal(size=n)]
    f = lambda v: 0.5 * (norm.pdf(v, 0, sig) + norm.pdf(v, mu, sig))
    i1 = -integrate.quad(lambda v: f(v) * math.log(f(v)), -10, mu + 10, points=[0, mu], limit=200)[0] - 0.5 * math.log(2 * math.pi * math.e * sig ** 2)
    hb = lambda p: -(p * math.log(p) + (1 - p) * math.log1p(-p)) if 0 < p < 1 else 0.0
    i2 = math.log(2) - integrate.quad(lambda v: norm.pdf(v) * hb(norm.cdf(v / tau)), -10, 10, limit=200)[0]
    return np.c_[d, x2, g], y, i1 + i2 - 0.5 * math.log(1 - rho ** 2)


def test_mixed_side_against_a_label_splits_too(qr):
    "X = (binary D, continuous C, three noise columns) against a label E = [1.5 D + C + N/2 > 0.75]: plug-in I(D;E) plus the mixed estimator per stratum."
    from scipy import integrate
    from scipy.stats import norm
    hb = lambda p: -(p * math.log(p) + (1 - p) * math.log1p(-p)) if 0 < p < 1 else 0.0
    pe = np.mean([integrate.quad(lambda c: norm.pdf(c) * norm.cdf((1.5 * d + c - 0.75) / 0.5), -10, 10)[0] for d in (0, 1)])
    truth = hb(pe) - np.mean([integrate.quad(lambda c: norm.pdf(c) * hb(norm.cdf((1.5 * d + c - 0.75) / 0.5)), -10, 10, limit=200)[0] for d in (0, 1)])
    errs = []
    for s in range(3):
        r = np.random.default_rng(s)
        d, c = r.integers(0, 2, 1000).astype(float), r.normal(size=1000)
        x, e = np.c_[d, c, r.normal(size=(1000, 3))], (1.5 * d + c + 0.5 * r.normal(size=1000) > 0.75).astype(float)
        res = qr.estimate_with_info(x, e, level=0.9)
        assert any('by the plug-in estimator' in m for m in res.notes), res.notes
        assert res.lower <= truth <= res.upper
        errs.append(res.mi - truth)
    assert abs(np.mean(errs)) < 0.04, errs          # the mixed estimator on all of X (ties broken) read about -0.06


def test_both_sides_mixed_average_the_two_chain_decompositions(qr):
    "Discrete beside continuous columns on both sides: the mean of the decompositions over X's and over Y's strata; the network alone read 0.25 nats low."
    errs = []
    for s in range(4):
        x, y, truth = _both_mixed(600, s)
        r = qr.estimate_with_info(x, y, level=0.9)
        assert any('averages the decompositions' in m for m in r.notes), r.notes
        assert r.lower <= truth <= r.upper and r.lower <= r.mi <= r.upper, (r, truth)
        errs.append(r.mi - truth)
        if s == 0:
            b = qr.estimate_with_info(y, x, level=0.9)
            assert (r.mi, r.lower, r.upper) == (b.mi, b.lower, b.upper)                  # X <-> Y, exactly
            assert qr.estimate(x, y) == r.mi
    assert abs(np.mean(errs)) < 0.15, errs


def test_bad_level(qr, sample):
    with pytest.raises(ValueError, match='level must be between'): qr.interval(*sample, level=0.999)


def test_missing_and_corrupt_checkpoints(tmp_path):
    with pytest.raises(FileNotFoundError, match='no model'): MIST.load(tmp_path / 'nope.pt')
    bad = tmp_path / 'bad.pt'; bad.write_bytes(b'\x00garbage')
    with pytest.raises(FileNotFoundError, match='model card .* is missing'): MIST.load(bad)
    shutil.copy(resolve_checkpoint('mist').with_suffix('.json'), tmp_path / 'bad.json')
    with pytest.raises(ValueError, match='corrupt'): MIST.load(bad)
    ck = torch.load(resolve_checkpoint('mist'), weights_only=True)
    ck['config']['width'] = 32
    torch.save(ck, tmp_path / 'mismatch.pt'); _card_for(tmp_path / 'mismatch.pt')
    with pytest.raises(ValueError, match='does not match the architecture in its config'): MIST.load(tmp_path / 'mismatch.pt')
    ck['format'] = 'something-else'
    torch.save(ck, tmp_path / 'foreign.pt'); _card_for(tmp_path / 'foreign.pt')
    with pytest.raises(ValueError, match="has format 'something-else'"): MIST.load(tmp_path / 'foreign.pt')


def _card_for(p):
    "A model card that verifies the checkpoint's bytes, so MIST.load gets as far as its contents."
    p.with_suffix('.json').write_text(json.dumps({'weights_sha256': file_sha256(p)}))


@pytest.mark.parametrize('name', ['mist-qr', 'mist'])
def test_shipped_models_have_the_symmetries_of_mi(name):
    net, _ = load_model(resolve_checkpoint(name))
    x, y = get_task('student-sparse-3-4-3-2-2.0').sample(150, seed=2)
    errs = symmetry_errors(net, torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    assert max(errs.values()) < 1e-4, errs


def test_module_is_differentiable(qr, sample):
    x, y = (torch.tensor(a, dtype=torch.float32, requires_grad=True) for a in sample)
    mi = qr.module(x, y)
    mi.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    assert abs(mi.item() - qr.estimate(*sample)) < 0.1


def test_module_batches_read_each_dataset_as_alone_and_pass_gradients_through_every_chunk(qr):
    "A batch run in chunks gives each dataset the reading it gets alone, and gradients reach every dataset."
    from mist_nb.estimate import MISTModule
    g = torch.Generator().manual_seed(3)
    x = torch.randn(7, 120, 2, generator=g); y = x[..., :1] ** 2 + torch.randn(7, 120, 1, generator=g)
    with torch.no_grad():
        alone = torch.stack([qr.module(x[i], y[i]) for i in range(7)])
        for chunk in (3, 7, None):
            assert torch.allclose(MISTModule(qr.net, chunk=chunk)(x, y), alone, atol=1e-4), chunk
    xg = x.clone().requires_grad_(True)
    MISTModule(qr.net, chunk=3)(xg, y).sum().backward()
    assert bool((xg.grad.abs().sum((1, 2)) > 0).all())


def test_missing_values_are_an_error_or_dropped_with_a_note():
    "A missing value is an error naming its column by default; missing='drop' leaves its row out and says so."
    import pandas as pd
    from mist_nb import estimate_mi
    rng = np.random.default_rng(4)
    x = pd.DataFrame({'a': rng.normal(size=200), 'when': pd.date_range('2024-01-01', periods=200, freq='h')})
    y = x.a + rng.normal(size=200)
    x.loc[9, 'when'] = pd.NaT; x.loc[20, 'a'] = np.nan
    with pytest.raises(ValueError, match='missing'): estimate_mi(x, y)
    r = estimate_mi(x, y, missing='drop')
    assert r.n == 198 and r.notes[0].startswith('2 of 200 rows have a missing value (x[:, 0]: 1, x[:, 1]: 1)')
    assert r.mi == estimate_mi(x.drop(index=[9, 20]), y.drop(index=[9, 20])).mi



def test_masked_entries_are_missing_not_their_hidden_values():
    "A numpy masked array's masked entries are missing values (an error, or dropped), never the numbers stored under the mask."
    from mist_nb import estimate_mi
    rng = np.random.default_rng(5)
    a = rng.normal(size=(300, 2)); b = a + rng.normal(size=(300, 2))
    hidden = a.copy(); hidden[:30, 0] = 50.0                          # what sits under the mask must not matter
    m = np.ma.masked_array(hidden, mask=(np.arange(300)[:, None] < 30) & np.array([True, False]))
    with pytest.raises(ValueError, match='missing'): estimate_mi(m, b)
    r = estimate_mi(m, b, missing='drop')
    assert r.n == 270 and r.mi == estimate_mi(a[30:], b[30:]).mi
    assert estimate_mi(np.ma.masked_array(a), b).mi == estimate_mi(a, b).mi   # nothing masked: the plain array


def test_scipy_sparse_inputs_read_as_dense():
    "A scipy sparse matrix (what scikit-learn pipelines hand over) reads as its dense array: its implicit zeros are values."
    import scipy.sparse as sp
    from mist_nb import estimate_mi, independence_test
    from mist_nb.sklearn import mutual_info_score
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 3)); x[rng.random((300, 3)) < 0.6] = 0; y = x[:, 0] + rng.normal(size=300)
    for s in (sp.csr_matrix(x), sp.csc_array(x)):
        assert estimate_mi(s, y).mi == estimate_mi(x, y).mi and estimate_mi(s, y, missing='drop').n == 300
        assert np.array_equal(mutual_info_score(s, y, random_state=0), mutual_info_score(x, y, random_state=0))
    assert independence_test(sp.csr_matrix(x), y, n_permutations=19) == independence_test(x, y, n_permutations=19)


def test_numbers_stored_as_text_and_missing_value_codes_are_named():
    "Text that holds numbers is an error with the conversion to use; a repeated extreme far from the rest (-999) gets a note, censoring does not."
    import pandas as pd
    from mist_nb import estimate_mi
    rng = np.random.default_rng(6)
    a = rng.normal(size=1000); b = 0.8 * a + 0.6 * rng.normal(size=1000)
    with pytest.raises(ValueError, match='numbers stored as text'):
        estimate_mi(pd.Series(a.round(4).astype(str)).astype('string'), b)
    from decimal import Decimal                                                        # pandas.read_sql gives NUMERIC columns as Decimals
    assert estimate_mi(pd.Series([Decimal(f"{v:.4f}") for v in a]), b).mi == estimate_mi(a.round(4), b).mi
    coded = a.copy(); gone = rng.random(1000) < 0.15; coded[gone] = -999.0
    r = estimate_mi(coded, b)
    assert any(m.startswith(f"x[:, 0] takes the value -999 in {gone.sum()} rows") and '--na-values -999' in m for m in r.notes)
    clean = estimate_mi(np.where(gone, np.nan, coded), b, missing='drop')             # the way out the note names
    assert not any('takes the value' in m for m in clean.notes) and clean.n == 1000 - gone.sum()
    assert abs(clean.mi - 0.511) < abs(r.mi - 0.511)                                  # the coded rows pull the estimate toward (1 - p) I
    censored = estimate_mi(np.maximum(a, -0.5), b)                                     # an atom at a detection limit touches the other values
    assert not any('takes the value' in m for m in censored.notes)

def test_pandas_rows_out_of_label_order_are_an_error_not_a_wrong_pairing():
    "A Series with the right rows in another order (sort_values, sample) would pair the wrong rows by position: every entry point says so."
    import pandas as pd
    from mist_nb import estimate_mi, independence_test
    from mist_nb.sklearn import mutual_info_score
    rng = np.random.default_rng(0)
    a = rng.normal(size=300)
    df = pd.DataFrame({'a': a, 'b': a + 0.5 * rng.normal(size=300)}, index=[f"r{i}" for i in range(300)])
    shuffled = df['b'].sample(frac=1.0, random_state=0)
    for call in (lambda: estimate_mi(df[['a']], shuffled), lambda: estimate_mi(df[['a']], shuffled, missing='drop'),
                 lambda: independence_test(df['a'], shuffled), lambda: mutual_info_score(df[['a']], shuffled)):
        with pytest.raises(ValueError, match=r'y\.loc\[x\.index\]'): call()
    right = estimate_mi(df[['a']], df['b'])
    assert estimate_mi(df[['a']], shuffled.loc[df.index]).mi == right.mi > 0.5          # aligned by label: the same estimate
    assert estimate_mi(df[['a']], shuffled.to_numpy()).mi < 0.2                          # by position, as asked: the shuffle
    r = estimate_mi(df[['a']], df['b'].reset_index(drop=True))                           # other labels: by position, with a note
    assert r.mi == right.mi and any('paired by position' in m for m in r.notes)


def test_dicts_are_columns_and_ragged_rows_are_named():
    "A dict of equal-length columns reads as a table (as pandas reads it); rows of different lengths get an error that says so."
    from mist_nb import estimate_mi
    rng = np.random.default_rng(0)
    a = rng.normal(size=200); b = a + rng.normal(size=200)
    assert estimate_mi({'a': a}, {'b': b}).mi == estimate_mi(a, b).mi
    a2 = a.copy(); a2[3] = np.nan
    assert estimate_mi({'a': a2}, b, missing='drop').n == 199
    with pytest.raises(ValueError, match='rows have different lengths'): estimate_mi([[1.0, 2.0], [3.0]] * 10, list(range(20)))
    with pytest.raises(ValueError, match='x is a dict'): estimate_mi({'a': a, 'c': a[:-1]}, b)


def test_a_side_wider_than_32_columns_gives_a_lower_bound(qr):
    "More than 32 columns: the leading 32 principal components, a lower end below the truth, an open upper end, a note; column order does not matter."
    rng = np.random.default_rng(11)
    x = rng.normal(size=(1000, 40)); y = 0.3 * x + math.sqrt(1 - 0.09) * rng.normal(size=(1000, 40))
    truth = -0.5 * 40 * math.log(1 - 0.09)                                   # 1.89 nats
    r = qr.estimate_with_info(x, y)
    assert r.lower <= r.mi <= truth and r.upper == math.inf and r.lower > 0.3, r
    assert (r.dim_x, r.dim_y) == (32, 32) and sum('leading principal components' in m for m in r.notes) == 2
    p = rng.permutation(40)
    assert qr.estimate_with_info(np.exp(x[:, p]), y).mi == pytest.approx(r.mi, abs=1e-4)
    w = qr.estimate_with_info(x[:30], y[:30])                                 # 30 rows, 40 columns: 7 components, from the rows' side
    assert (w.dim_x, w.dim_y) == (7, 7) and w.upper == math.inf and any('n/4 of them' in m for m in w.notes)
    b = x[:500, :20]                                                          # 35 columns spanning 20 dimensions: nothing lost, no bound
    c = qr.estimate_with_info(np.c_[b, np.exp(b[:, :15])], y[:500, 0])
    assert c.dim_x == 20 and math.isfinite(c.upper) and any('span only 20 dimensions' in m for m in c.notes), c
    lab = (x[:, :20].sum(1) > 0).astype(float)                              # a label: the upper end is capped at its entropy
    r = qr.estimate_with_info(x, lab)
    assert r.upper <= math.log(2) + 0.01 and r.lower <= r.mi <= r.upper, r


def test_a_side_with_many_repeated_levels_is_a_label_side():
    "50 classes (codes or names) against a measurement: the mixed estimator, not the network on codes ranked as measurements; elsewhere many labels stay an error."
    import pandas as pd
    from scipy import integrate
    from mist_nb import estimate_mi
    mus, s = np.random.default_rng(123).normal(size=50), 0.25
    f = lambda v: np.mean(np.exp(-(v - mus) ** 2 / (2 * s * s))) / (s * math.sqrt(2 * math.pi))
    truth = -integrate.quad(lambda v: f(v) * math.log(f(v)), mus.min() - 2, mus.max() + 2, limit=500, points=list(mus))[0] - 0.5 * math.log(2 * math.pi * math.e * s * s)
    g = np.random.default_rng(2)
    c = g.integers(0, 50, 1000); v = mus[c] + s * g.normal(size=1000)
    names = np.array([f"site-{i}" for i in range(50)])[c]
    r, rn = estimate_mi(c, v), estimate_mi(names, v)
    assert abs(r.mi - truth) < 0.2 and r.mi == rn.mi and r.lower <= truth <= r.upper      # the network on the codes read about 0.6
    assert any('mixed k-NN' in m for m in r.notes) and any('holds 50 labels' in m for m in rn.notes)
    assert estimate_mi(g.integers(0, 50, 1000), g.normal(size=1000)).lower <= 0.02     # independent codes
    with pytest.raises(ValueError, match='50 distinct labels'): estimate_mi(pd.DataFrame({'site': names, 'v': v}), v)
    with pytest.raises(ValueError, match='50 distinct labels'): estimate_mi(names, names)
    from mist_nb.sklearn import mutual_info_score                                       # a 50-class target for feature selection
    assert np.isclose(mutual_info_score(np.c_[v, g.normal(size=1000)], names)[0], r.mi)


def test_derived_columns_leave_the_estimate_and_exact_functions_open_the_upper_end():
    "x^2, |x|, sin(3x) or an age group beside their source column are dropped (MI unchanged): they moved the estimate by up to 1 nat; Y an exact non-monotone function of X opens the upper end."
    from sklearn.datasets import load_diabetes
    from mist_nb import estimate_mi
    g = np.random.default_rng(8)
    x = g.normal(size=400); y = 0.8 * x + 0.6 * g.normal(size=400)
    base = estimate_mi(x, y)
    for f in (np.square, np.abs, lambda v: np.sin(3 * v), lambda v: np.floor(2 * v)):
        r = estimate_mi(np.c_[f(x), x], y)
        assert (r.mi, r.lower, r.upper) == (base.mi, base.lower, base.upper) and any('is a function of x[:, 1]' in m for m in r.notes)
    d = load_diabetes(as_frame=True).frame
    real = estimate_mi(d[['bmi', 'bp']], d['target'])
    more = estimate_mi(d[['bmi', 'bp']].assign(bmi2=d.bmi ** 2, bp_abs=d.bp.abs()), d['target'])   # polynomial features of a real table
    assert more.mi == real.mi
    r = estimate_mi(np.c_[x, g.normal(size=400)], np.cos(2 * x))
    assert r.upper == math.inf and any('y[:, 0] is a function of x[:, 0]' in m for m in r.notes)
    assert not any('is a function' in m for m in estimate_mi(x, x ** 2 + 0.05 * g.normal(size=400)).notes)   # noise: no function
    bp, sex = d[['bp']].to_numpy(), d['sex'].to_numpy()                                  # a duplicated column with ties is not a table of copied rows
    assert estimate_mi(np.c_[bp, bp], sex).mi == estimate_mi(bp, sex).mi and estimate_mi(np.c_[bp, bp], sex).n == len(d)
