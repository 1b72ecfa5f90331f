"The block check: MI adds over independent groups of columns - a floor, and a ceiling where the network cannot tell the data from copies whose groups are independent by construction."
import math

import numpy as np
import pytest

from mist_nb import MIST
from mist_nb.estimate import BLOCK_SHUFFLES, block_shuffles, column_blocks


@pytest.fixture(scope='module')
def est(): return MIST.load('mist-qr')


def _pairs(n, rhos, seed):
    "Independent Gaussian pairs (x_j, y_j) with correlations `rhos`, side by side; exact MI -1/2 sum log(1 - rho^2)."
    g = np.random.default_rng(seed)
    x = g.normal(size=(n, len(rhos)))
    y = np.asarray(rhos) * x + np.sqrt(1 - np.asarray(rhos) ** 2) * g.normal(size=(n, len(rhos)))
    return x, y, -0.5 * float(np.log1p(-np.asarray(rhos) ** 2).sum())


def test_groups_are_found_and_seeded():
    x, y, _ = _pairs(800, (0.9, 0.7, 0.5), 0)
    got = column_blocks(x, y, seed=3)
    assert [(a.tolist(), b.tolist()) for a, b in got] == [([0], [0]), ([1], [1]), ([2], [2])]
    again = column_blocks(x, y, seed=3)
    assert [(a.tolist(), b.tolist()) for a, b in again] == [(a.tolist(), b.tolist()) for a, b in got]


def test_one_group_and_independent_columns():
    g = np.random.default_rng(1)
    x = g.normal(size=(600, 3)); y = x @ np.full((3, 2), 0.7) + g.normal(size=(600, 2))   # every column tied to every other
    assert column_blocks(x, y) is None
    x[:, 0] = g.normal(size=600)                                                           # a column tied to nothing: one group, which drops it
    assert [(a.tolist(), b.tolist()) for a, b in column_blocks(x, y)] == [([1, 2], [0, 1])]
    assert column_blocks(g.normal(size=(600, 3)), g.normal(size=(600, 3))) == []          # no group holds both sides
    assert column_blocks(g.normal(size=(600, 1)), g.normal(size=(600, 1))) is None        # fewer than 3 columns: nothing to split


def test_independent_sides_get_no_floor(est):
    g = np.random.default_rng(2)
    for d in (2, 4):
        r = est.estimate_with_info(g.normal(size=(1000, d)), g.standard_t(3, size=(1000, d)), 0.9)
        assert not any('group(s) with both sides' in m for m in r.notes) and r.lower <= 0.02


def _sine_pair_mi(tau=0.1) -> float:
    "I(X;Y) of Y = sin(3X) + tau E, X and E standard normal: h(Y) by quadrature minus h(tau E), in nats."
    from scipy.stats import norm
    xs = np.linspace(-7, 7, 28001); w = norm.pdf(xs) * (xs[1] - xs[0])
    ys = np.linspace(-1 - 8 * tau, 1 + 8 * tau, 1601)
    p = np.array([(w * norm.pdf((v - np.sin(3 * xs)) / tau)).sum() / tau for v in ys])
    return float(-(p * np.log(np.where(p > 0, p, 1))).sum() * (ys[1] - ys[0]) - 0.5 * math.log(2 * math.pi * math.e * tau ** 2))


def test_a_lift_keeps_point_and_interval_consistent(est):
    "Independent non-monotone pairs side by side, which the joint reading misses: the floor fires, the estimate is inside its interval, the interval covers the truth, and the point is the same with or without an interval."
    truth, fired = 3 * _sine_pair_mi(), 0
    assert abs(truth / 3 - 1.70) < 0.01                                             # KSG at n = 20,000 reads one pair 1.71
    for seed in range(3):
        g = np.random.default_rng(seed)
        x = g.normal(size=(1000, 3))
        y = np.sin(3 * x) + 0.1 * g.normal(size=(1000, 3))                      # non-monotone pairs, side by side
        r = est.estimate_with_info(x, y, 0.9)
        assert r.lower <= r.mi <= r.upper and r.lower <= truth <= r.upper
        assert est.estimate(x, y) == pytest.approx(r.mi)
        fired += any('group(s) with both sides' in m for m in r.notes)
    assert fired >= 2
    x, y, mi = _pairs(1000, (0.9, 0.8), 4)
    r = est.estimate_with_info(x, y, 0.9)
    assert r.lower <= mi <= r.upper and abs(r.mi - mi) < 0.15


def test_the_batch_reads_the_groups_as_single_calls_do(est):
    "`estimate_batch` runs the block check's group passes batched across pairs: the same estimates, intervals and notes as one call each."
    pairs = []
    for seed in range(4):
        g = np.random.default_rng(10 + seed)
        x = g.normal(size=(400 + 100 * seed, 3))
        pairs.append((x, np.sin(3 * x) + 0.1 * g.normal(size=x.shape)) if seed % 2 else _pairs(500, (0.9, 0.5, 0.7), seed)[:2])
    single = [est.estimate_with_info(x, y, 0.9) for x, y in pairs]
    assert sum(any('group(s) with both sides' in m for m in r.notes) for r in single) >= 2
    batch = est.estimate_batch(pairs, level=0.9)
    for s, b in zip(single, batch):
        assert (b.mi, b.lower, b.upper) == pytest.approx((s.mi, s.lower, s.upper), abs=1e-5) and b.notes == s.notes
    assert est.estimate_batch(pairs) == pytest.approx([est.estimate(x, y) for x, y in pairs], abs=1e-5)


def test_one_call_runs_its_groups_in_one_batched_pass(est, monkeypatch):
    "Groups of one shape share a forward pass in a single call (eight 1 + 1 pairs: one batched pass, not eight), with the same result as one pass each."
    x, y, _ = _pairs(500, (0.6,) * 8, 0)
    sizes = []
    fwd = MIST._forward
    def counted(self, pairs, chunk=16):
        sizes.append(len(pairs)); return fwd(self, pairs, chunk)
    monkeypatch.setattr(MIST, '_forward', counted)
    r = est.estimate_with_info(x, y, 0.9)
    assert 8 in sizes and sizes.count(1) <= 3, sizes                               # the groups' pass; the joint one, its twin, a check
    per_group = [est._outputs(*est._validated(x[:, [j]], y[:, [j]])[3:5]) for j in range(8)]
    cache = {'blocks': column_blocks(x, y, est.seed)}
    assert len(cache['blocks']) == 8
    parts = est._block_parts(x, y, 0.9, cache)
    for o, p in zip(per_group, cache['block_outs']): np.testing.assert_allclose(o, p, rtol=1e-5, atol=1e-6)
    assert all(pt.lower <= pt.mi <= pt.upper for pt in parts) and r.lower <= r.mi <= r.upper


def test_an_over_read_comes_down_to_the_sum_when_the_shuffles_cannot_tell(est):
    "Independent even pairs Y_j = X_j^2 + 0.3 E_j, which the joint reading over-reads: the shuffle test keeps its level and the estimate becomes the groups' sum, inside its interval, the same with or without one."
    from mist_nb.sampling import get_channel
    truth, summed, err_joint, err_sum = 2 * get_channel('parabola').quadrature_mi(0.3), 0, [], []
    for seed in range(4):
        g = np.random.default_rng(seed)
        x = g.normal(size=(1000, 2)); y = x ** 2 + 0.3 * g.normal(size=(1000, 2))
        cache = {}
        r = est._result(x, y, 0.9, cache=cache)
        joint = est._result(x, y, 0.9, blocks=False)
        p = cache.get('block_shuffle', (None,))[0]                                 # None: the joint reading within the groups' upper ends
        assert r.lower <= r.mi <= r.upper and est.estimate(x, y) == pytest.approx(r.mi)
        if p is None: assert r.mi == joint.mi
        elif p > 1 / (1 + BLOCK_SHUFFLES[1]):
            summed += 1
            assert r.mi == pytest.approx(sum(q.mi for q in cache['block_parts'][0.9]))
            assert abs(r.mi - truth) < 0.2 and r.lower <= truth <= r.upper and joint.mi > r.mi
            assert any('permuting their rows' in m for m in r.notes)
            err_joint.append(abs(joint.mi - truth)); err_sum.append(abs(r.mi - truth))
    assert summed >= 2 and max(err_joint) > 0.5 and np.mean(err_sum) < 0.2 * np.mean(err_joint)


def test_one_outcome_among_irrelevant_features_comes_down_to_its_column(est):
    "Y = |X_0| + 0.3 E beside 31 independent X columns: the group (x_0, y) holds every column of Y, so the shuffle test runs though it holds 2 of 33 columns, and the over-read (about 1.9 nats for 0.76) comes down; a hidden interaction among the other columns is kept."
    from mist_nb.sampling import get_channel
    truth, summed = get_channel('abs').quadrature_mi(0.3), []
    for seed in range(4):
        g = np.random.default_rng(seed)
        x = g.normal(size=(2000, 32)); y = np.abs(x[:, 0]) + 0.3 * g.normal(size=2000)
        cache = {}
        r = est._result(x, y[:, None], 0.9, cache=cache)
        joint = est._result(x, y[:, None], 0.9, blocks=False)
        assert [(a.tolist(), b.tolist()) for a, b in cache['blocks']] == [([0], [0])]
        assert r.lower <= truth <= r.upper and est.estimate(x, y) == pytest.approx(r.mi)
        if 'block_shuffle' not in cache: assert r.mi == joint.mi                 # the joint reading within the group's upper end: left alone
        else:                                                                     # a contradiction: the test runs, though the group holds 2 of 33 columns
            assert cache['block_shuffle'][0] > 1 / (1 + BLOCK_SHUFFLES[1]) and any('permuting their rows' in m for m in r.notes)
            assert joint.mi > r.mi and abs(r.mi - truth) < 0.1 and r.upper - r.lower < 0.3
            summed.append(joint.mi)
    assert len(summed) >= 2 and max(summed) > truth + 1                           # seed 2's joint reading: 1.89 nats
    g = np.random.default_rng(7)                                                  # Y = X_0 + X_1 X_2: (x_1, x_2) carry 0.9 nats that no pair shows
    x = g.normal(size=(2000, 8)); y = x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * g.normal(size=2000)
    r = est._result(x, y[:, None], 0.9)
    assert r.mi > 1.2 and not any('permuting their rows' in m and 'the estimate is the sum' in m for m in r.notes)


def test_a_dependence_between_groups_that_no_pair_shows_is_kept(est):
    "Y_2 = sign(X_1) X_2 + 0.1 E beside Y_1 = X_1 + 0.5 E: the groups split by pairwise tests, the sign ties them (3.11 nats), and the shuffle test keeps the joint reading."
    truth = 0.5 * math.log(5) + 0.5 * math.log(101)
    g = np.random.default_rng(100)
    a = g.normal(size=(500, 2))
    b = np.c_[a[:, 0] + 0.5 * g.normal(size=500), np.sign(a[:, 0]) * a[:, 1] + 0.1 * g.normal(size=500)]
    cache = {}
    r = est._result(a, b, 0.9, cache=cache)
    assert [(p.tolist(), q.tolist()) for p, q in cache['blocks']] == [([0], [0]), ([1], [1])]
    assert cache['block_shuffle'][0] == pytest.approx(1 / (1 + BLOCK_SHUFFLES[1]))
    assert r.mi > sum(p.mi for p in cache['block_parts'][0.9]) + 0.3 and r.lower <= truth <= r.upper


def test_shuffled_copies_keep_each_group_whole():
    "Each group's rows move together, the first group stays put, the columns in no group move as one block, and copies are seeded."
    g = np.random.default_rng(0)
    x, y = g.normal(size=(300, 3)), g.normal(size=(300, 3))
    blocks = [(np.array([0]), np.array([0])), (np.array([1, 2]), np.array([2]))]
    copies = block_shuffles(x, y, blocks, 3, seed=1)
    for (a, b), (a2, b2) in zip(copies, block_shuffles(x, y, blocks, 3, seed=1)): np.testing.assert_array_equal(np.c_[a, b], np.c_[a2, b2])
    for a, b in copies:
        np.testing.assert_array_equal(a[:, 0], x[:, 0]); np.testing.assert_array_equal(b[:, 0], y[:, 0])
        src = np.argsort(x[:, 1])[np.searchsorted(np.sort(x[:, 1]), a[:, 1])]      # the row each copy row's group came from
        np.testing.assert_array_equal(a[:, 1:], x[src, 1:]); np.testing.assert_array_equal(b[:, 2], y[src, 2])
        assert (src != np.arange(300)).mean() > 0.9
        rest = np.argsort(y[:, 1])[np.searchsorted(np.sort(y[:, 1]), b[:, 1])]
        assert (rest != src).mean() > 0.9
    np.testing.assert_array_equal(np.c_[block_shuffles(x, y, blocks, 3, seed=1, start=2)[0]], np.c_[copies[2]])
