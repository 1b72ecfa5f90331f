"The exact truths of scripts/real_tables.py and scripts/regression_tables.py: a wrong truth there would corrupt every number the scripts report."
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location('real_tables', Path(__file__).resolve().parent.parent / 'scripts' / 'real_tables.py')
rt = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(rt)
_spec = importlib.util.spec_from_file_location('regression_tables', Path(__file__).resolve().parent.parent / 'scripts' / 'regression_tables.py')
rg = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(rg)
from mist_nb.sampling import functional_mi  # noqa: E402   the truth of a continuous Y: I(X; g(X) + N(0, 1)) for X uniform over rows


def noisy_rows_mi(g): return functional_mi(np.asarray(g, dtype=float), 'gauss', 1.0)


def test_the_truth_is_exact_in_the_limits():
    assert noisy_rows_mi(np.zeros(50)) == pytest.approx(0.0, abs=1e-6)                                  # one value: no information
    assert noisy_rows_mi(np.r_[np.zeros(30), np.full(30, 60.0)]) == pytest.approx(math.log(2), abs=1e-6)   # two values far apart: one bit
    assert noisy_rows_mi(np.r_[np.zeros(10), np.full(30, 60.0)]) == pytest.approx(
        -0.25 * math.log(0.25) - 0.75 * math.log(0.75), abs=1e-6)                                          # unequal weights
    g = np.random.default_rng(4).normal(size=200_000)                                                     # a Gaussian signal: 1/2 log(1 + var)
    assert noisy_rows_mi(3 * g) == pytest.approx(0.5 * math.log(10), abs=2e-3)


def test_the_truth_matches_monte_carlo():
    g = np.random.default_rng(0).normal(size=40) * 2
    y = g[np.random.default_rng(1).integers(0, 40, 400_000)] + np.random.default_rng(2).normal(size=400_000)
    p = np.exp(-0.5 * (y[:, None] - g[None]) ** 2).mean(1) / math.sqrt(2 * math.pi)
    assert noisy_rows_mi(g) == pytest.approx(-np.log(p).mean() - 0.5 * math.log(2 * math.pi * math.e), abs=0.01)


def test_regression_table_populations_have_their_truths():
    z, f, t = rg.population(2, 'linear', 0.7)
    assert z.shape == (rg.POP, 2) and abs(z.std(0) - 1).max() < 0.01                                     # unit-variance latent columns
    assert t == pytest.approx(0.5 * math.log(1 + 0.7 ** 2), abs=0.01)                                    # linear: Gaussian, 1/2 log(1 + w^2)
    assert all(np.all(np.diff(m(np.linspace(-4, 4, 1001))) > 0) for m in rg.MARGINS)                      # every margin keeps the ranks
    _, _, t2 = rg.population(8, 'interaction', 2.0)
    assert 0.5 < t2 < 0.5 * math.log(1 + 4 * 2.0 ** 2)                                                    # below the Gaussian of its variance


def test_draws_have_the_right_truth_and_shape():
    x = np.random.default_rng(3).normal(size=(300, 3))
    y, t = rt.draw(x, 'label', 0.0, 0)                         # no signal: Y independent of X
    assert y.shape == (300, 1) and set(np.unique(y)) <= {0.0, 1.0} and t == pytest.approx(0.0, abs=1e-12)
    y, t = rt.draw(x, 'continuous', 0.0, 0)
    assert y.shape == (300, 1) and t == pytest.approx(0.0, abs=1e-9)
    _, t1 = rt.draw(x, 'continuous', 1.0, 0)
    _, t2 = rt.draw(x, 'continuous', 2.5, 0)
    assert 0 < t1 < t2                                          # more signal, more MI


def test_column_sets_are_real_columns():
    sets = rt.column_sets()
    assert len(sets) == 8 and all(x.ndim == 2 and x.shape[1] == len(cols) and np.isfinite(x).all() for _, cols, x in sets)
    assert any('sex' in cols for _, cols, _ in sets)            # a binary column beside continuous ones


_spec = importlib.util.spec_from_file_location('heldout_regressions', Path(__file__).resolve().parent.parent / 'scripts' / 'heldout_regressions.py')
hr = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(hr)


def test_heldout_regressions_truth_and_noise():
    "Laplace noise of unit variance, no signal no information, and the truth of a small population against Monte Carlo."
    x = np.random.default_rng(3).normal(size=(400, 3))
    y, t = hr.draw(x, 'saddle', 0.0, 0)
    assert y.shape == (400, 1) and t == pytest.approx(0.0, abs=2e-4)                     # Laplace's kink binned at 1/40: 7e-5 nats off
    e = hr.draw(np.random.default_rng(1).normal(size=(200_000, 2)), 'max', 0.0, 1)[0][:, 0]
    assert e.var() == pytest.approx(1.0, abs=0.02) and (np.abs(e - np.median(e)).mean()) == pytest.approx(1 / math.sqrt(2), abs=0.01)
    assert 0 < hr.draw(x, 'gate', 0.7, 0)[1] < hr.draw(x, 'gate', 2.0, 0)[1]
    g = np.random.default_rng(0).normal(size=40) * 2                                   # rows uniform, Laplace noise: Monte Carlo
    yy = g[np.random.default_rng(1).integers(0, 40, 400_000)] + np.random.default_rng(2).laplace(scale=1 / math.sqrt(2), size=400_000)
    p = (np.exp(-math.sqrt(2) * np.abs(yy[:, None] - g[None])) / math.sqrt(2)).mean(1)
    assert functional_mi(g, 'laplace', 1.0) == pytest.approx(-np.log(p).mean() - (1 + 0.5 * math.log(2)), abs=0.01)
