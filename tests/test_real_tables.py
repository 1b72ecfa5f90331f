"The exact truths of scripts/real_tables.py: a wrong truth there would corrupt every number the script reports."
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location('real_tables', Path(__file__).resolve().parent.parent / 'scripts' / 'real_tables.py')
rt = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(rt)
H_NORMAL = 0.5 * math.log(2 * math.pi * math.e)


def test_mixture_entropy_is_exact_in_the_limits():
    assert rt.mixture_entropy(np.zeros(50)) == pytest.approx(H_NORMAL, abs=1e-9)                          # one normal
    assert rt.mixture_entropy(np.r_[np.zeros(30), np.full(30, 60.0)]) == pytest.approx(H_NORMAL + math.log(2), abs=1e-9)
    assert rt.mixture_entropy(np.r_[np.zeros(10), np.full(30, 60.0)]) == pytest.approx(
        H_NORMAL - 0.25 * math.log(0.25) - 0.75 * math.log(0.75), abs=1e-9)                                  # unequal weights


def test_mixture_entropy_matches_monte_carlo():
    g = np.random.default_rng(0).normal(size=40) * 2
    y = g[np.random.default_rng(1).integers(0, 40, 400_000)] + np.random.default_rng(2).normal(size=400_000)
    p = np.exp(-0.5 * (y[:, None] - g[None]) ** 2).mean(1) / math.sqrt(2 * math.pi)
    assert rt.mixture_entropy(g) == pytest.approx(-np.log(p).mean(), abs=0.01)


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
