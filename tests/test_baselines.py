"Checks of mist_nb.baselines: bmi agreement of KSG, the estimator protocol, bad input, determinism, bootstrap counts."
import math, sys
from pathlib import Path

import numpy as np
import pytest
import torch

from mist_nb.baselines import (KSG, CCA, GaussianCopula, MINE, NWJ, InfoNCE, Bootstrap, BASELINES, get_baseline,
                               ksg_counts_tree, ksg_counts_brute)
from mist_nb.sampling import get_task

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))
import ksg_bmi_crosscheck  # noqa: E402

TINY = dict(steps=5, hidden=(8,))   # neural estimators small enough for a unit test
TOO_FEW = dict(ksg='KSG with k=5 needs at least 6', cca='CCA needs n > dim_x', gaussian_copula='GaussianCopula needs n > dim_x',
               mine='mine needs at least 4', nwj='nwj needs at least 4', infonce='infonce needs at least 4')


@pytest.fixture(scope='module')
def gauss():
    "500 points of bmi's bivariate Gaussian with correlation 0.75 (0.413 nats)."
    t = get_task('1v1-normal-0.75')
    return (*t.sample(500, seed=0), t.mutual_information)


def test_ksg_agrees_with_bmi_to_1e6():
    "Our KSG on the stored bmi samples reproduces bmi's recorded estimates (both metrics, k = 5 and 10)."
    if not ksg_bmi_crosscheck.REF.exists(): pytest.skip(f"{ksg_bmi_crosscheck.REF} is missing; run the dump step")
    rows = ksg_bmi_crosscheck.compare_cases()
    assert len(rows) == len(ksg_bmi_crosscheck.TASKS) * 3 * 2 * 2
    assert max(r['diff'] for r in rows) < 1e-6


@pytest.mark.parametrize('variant', [1, 2])
def test_ksg_tree_equals_brute_force(variant):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    y[:, 1] += x[:, 0]
    for a, b in zip(ksg_counts_tree(x, y, 4, variant), ksg_counts_brute(x, y, 4, variant, 'chebyshev', block=64)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('name', sorted(BASELINES))
def test_protocol_returns_finite_nats(name, gauss):
    "Every baseline has a name and returns a finite float, in nats, for numpy input; 1-D arrays are one column."
    x, y, mi = gauss
    est = get_baseline(name, **(TINY if name in ('mine', 'nwj', 'infonce') else {}))
    assert isinstance(est.name, str) and est.name
    e = est.estimate(x, y)
    assert isinstance(e, float) and math.isfinite(e)
    assert est.estimate(x[:, 0], y[:, 0]) == e
    if name in ('ksg', 'cca', 'gaussian_copula'): assert abs(e - mi) < 0.1


@pytest.mark.parametrize('tid', ['multinormal-dense-2-2-0.5', 'multinormal-sparse-3-3-2-2.0'])
def test_classical_estimators_on_gaussian_tasks(tid):
    t = get_task(tid)
    x, y = t.sample(3000, seed=2)
    assert abs(CCA().estimate(x, y) - t.mutual_information) < 0.03
    assert abs(GaussianCopula().estimate(x, y) - t.mutual_information) < 0.05
    assert abs(KSG().estimate(x, y) - t.mutual_information) < 0.15


def test_copula_invariant_under_monotone_maps():
    x, y = get_task('multinormal-sparse-3-3-2-2.0').sample(1000, seed=4)
    hx, hy = get_task('half_cube-multinormal-sparse-3-3-2-2.0').sample(1000, seed=4)
    assert GaussianCopula().estimate(x, y) == GaussianCopula().estimate(hx, hy)
    assert GaussianCopula().estimate(x, y) == GaussianCopula().estimate(np.exp(x), y ** 3)


@pytest.mark.parametrize('name', sorted(BASELINES))
def test_bad_input_is_refused(name):
    est = get_baseline(name, **(TINY if name in ('mine', 'nwj', 'infonce') else {}))
    x, y = np.random.default_rng(0).normal(size=(2, 50, 2))
    with pytest.raises(ValueError, match='same number of rows'): est.estimate(x, y[:40])
    bad = x.copy(); bad[3, 1] = np.nan
    with pytest.raises(ValueError, match='x contains NaN'): est.estimate(bad, y)
    inf = y.copy(); inf[0, 0] = np.inf
    with pytest.raises(ValueError, match='y contains NaN or infinite'): est.estimate(x, inf)
    with pytest.raises(ValueError, match=TOO_FEW[name]): est.estimate(x[:3], y[:3])


def test_ksg_needs_more_points_than_neighbours():
    x = np.arange(10.)
    with pytest.raises(ValueError, match='k=10 needs at least 11'): KSG(k=10).estimate(x, x)
    assert KSG(k=9).estimate(x, np.sin(x)) >= 0


def test_cca_needs_more_points_than_dimensions_unless_ridge():
    x, y = np.random.default_rng(1).normal(size=(2, 5, 3))
    with pytest.raises(ValueError, match='n > dim_x \\+ dim_y'): CCA().estimate(x, y)
    assert math.isfinite(CCA(ridge=0.1).estimate(x, y))


@pytest.mark.parametrize('cls', [MINE, NWJ, InfoNCE])
def test_neural_estimators_are_deterministic(cls, gauss):
    x, y, _ = gauss
    state = torch.random.get_rng_state()
    a = cls(seed=1, **TINY).estimate(x[:60], y[:60])
    b = cls(seed=1, **TINY).estimate(x[:60], y[:60])
    assert a == b
    assert a != cls(seed=2, **TINY).estimate(x[:60], y[:60])
    assert torch.equal(torch.random.get_rng_state(), state), "training must not touch torch's global RNG"
    assert math.isfinite(cls(steps=20).estimate(x[:10], y[:10]))


class Counting:
    "A base estimator that counts its calls."
    name = 'counting'
    def __init__(self): self.calls = 0
    def estimate(self, x, y): self.calls += 1; return CCA().estimate(x, y)


@pytest.mark.parametrize('n_resamples', [1, 7, 50])
def test_bootstrap_honours_the_resample_count(n_resamples, gauss):
    x, y, mi = gauss
    base = Counting()
    info = Bootstrap(base, n_resamples=n_resamples, seed=3).estimate_with_info(x, y)
    assert base.calls == n_resamples + 1 and info['n_resamples'] == n_resamples
    assert set(info) >= {'estimate', 'lower', 'upper', 'level', 'n_resamples', 'seconds'}
    assert info['lower'] <= info['upper']
    base.calls = 0
    assert Bootstrap(base, n_resamples=n_resamples, seed=3).interval(x, y) == (info['lower'], info['upper'])
    assert base.calls == n_resamples


def test_bootstrap_interval_covers_and_is_seeded(gauss):
    x, y, mi = gauss
    b = Bootstrap(CCA(), n_resamples=100, level=0.9, seed=0)
    lo, hi = b.interval(x, y)
    assert lo < b.estimate(x, y) < hi and lo < mi < hi
    assert b.interval(x, y) == (lo, hi)
    assert Bootstrap(CCA(), n_resamples=100, seed=1).interval(x, y) != (lo, hi)
    narrow = Bootstrap(CCA(), n_resamples=100, level=0.5, seed=0).interval(x, y)
    assert lo <= narrow[0] <= narrow[1] <= hi


def test_registry():
    assert set(BASELINES) == {'ksg', 'cca', 'gaussian_copula', 'mine', 'nwj', 'infonce'}
    assert get_baseline('ksg', k=7) == KSG(k=7)
    with pytest.raises(ValueError, match="unknown baseline 'kde'"): get_baseline('kde')
