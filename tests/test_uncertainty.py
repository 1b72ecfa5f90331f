"Honest intervals: coverage on held-out draws, independence, large samples, limits said out loud."
import math

import numpy as np
import pytest

from mist_nb import MIST, independence_test
from mist_nb.evaluate import Grid, run_sweep, coverage


@pytest.fixture(scope='module')
def est(): return MIST.load('mist-qr')


def test_coverage_on_a_small_seeded_grid(est):
    "90% intervals cover the truth on a seeded grid of broad-mix families the calibration never drew (its own seed)."
    g = Grid('train', ('channels-base', 'channels-rotate', 'gauss-base', 'mixture-base', 'normal-sparse-base', 'hetero-abs-base'),
             (60, 300), (1, 3), (0, 1, 2), seed=777, name='ci')
    ds = run_sweep({'MIST-QR': est}, g, n_jobs=1, levels=(0.5, 0.9), taus=(), progress=False)
    cov = coverage(ds).interval.sel(estimator='MIST-QR')
    assert 0.78 <= float(cov.sel(level=0.9)) <= 1.0, float(cov.sel(level=0.9))
    # a third of the calibration mix is off-training, so families the model knows are over-covered (50%: 0.76 here, 0.74 before
    # the lower end used the classical lower confidence bounds instead of the estimates, 0.69 when calibrated on the training mix
    # alone; 90%: 1.0, 1.0 and 0.97); a 50% interval that covers 80% or more is too wide to be called one
    assert 0.3 <= float(cov.sel(level=0.5)) < 0.8, float(cov.sel(level=0.5))


def test_coverage_on_held_out_families(est):
    "90% intervals cover our held-out families (never trained on, never in the calibration mix) on a small seeded grid."
    from mist_nb.evaluate import heldout_grid
    g = heldout_grid(ns=(50, 100), dims=(2, 4), seeds=(0, 1, 2), seed=778)   # the hardest corner: small n, several dims
    ds = run_sweep({'MIST-QR': est}, g, n_jobs=1, levels=(0.9,), taus=(), progress=False)
    # measured 0.91 (calibrated on the training mix alone: 0.68)
    assert float(coverage(ds).interval.sel(estimator='MIST-QR', level=0.9)) >= 0.85


@pytest.mark.parametrize('n, dx, dy', [(30, 1, 1), (300, 4, 2), (3000, 2, 2), (20_000, 1, 3)])
def test_independent_data_have_a_lower_end_at_zero(est, n, dx, dy):
    rng = np.random.default_rng(n)
    lows = []
    for s in range(10 if n < 10_000 else 4):
        x = rng.normal(size=(n, dx)) @ rng.normal(size=(dx, dx))
        y = np.exp(rng.normal(size=(n, dy)))
        lows.append(est.estimate_with_info(x, y).lower)
    assert np.mean(np.array(lows) <= 0.02) >= 0.75, lows


def test_intervals_stay_consistent_as_n_grows(est):
    "Beyond the trained n the interval neither widens nor collapses below its bias part, and it keeps the truth."
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40_000, 2)); e = rng.normal(size=(40_000, 1))
    truth = 0.5 * math.log(2)
    # Y on a direction of X that no single column carries: only the averaged subsets act (no pair, block or consensus route)
    y = (x[:, :1] + x[:, 1:]) / math.sqrt(2) + e
    rs = [est.estimate_with_info(x[:n], y[:n]) for n in (2000, 8000, 40_000)]
    widths = [r.upper - r.lower for r in rs]
    assert widths[2] <= widths[1] * 1.02 and widths[1] <= widths[0] * 1.1, widths     # averaging more subsets never widens
    # nor shrinks like 1/sqrt(m) (m = 20 subsets: 0.22 of the width at n = 2,000); measured 0.78 (0.233 -> 0.182 nats)
    assert widths[2] >= 0.35 * widths[0], widths
    assert all(r.lower <= r.mi <= r.upper for r in rs) and rs[-1].lower <= truth <= rs[-1].upper
    assert abs(rs[-1].mi - truth) < 0.1 and any('disjoint' in m for m in rs[-1].notes)
    # Y on one column of X: the column-pair and block checks read that pair through the one-column KSG consensus, whose
    # interval can be narrower than the averaged subsets' (0.237 / 0.121 / 0.033 nats at these n). At n = 40,000 the joint
    # reading lies above that pair's upper end and the block check's shuffle test cannot tell x[:, 1] from a shuffled copy,
    # so the estimate is the pair's, 0.326 [0.309, 0.342] for 0.347: a 90% interval that misses by 0.005 on this sample
    y = x[:, :1] + e
    rs = [est.estimate_with_info(x[:n], y[:n]) for n in (2000, 8000, 40_000)]
    assert all(r.lower <= r.mi <= r.upper for r in rs) and all(r.lower <= truth <= r.upper for r in rs[:2]), rs
    assert abs(rs[-1].mi - truth) < 0.03 and rs[-1].upper - rs[-1].lower < rs[0].upper - rs[0].lower, rs


def test_independent_data_beyond_the_trained_n_read_near_zero(est):
    "Beyond n = 2,000 the network's reading on shuffled subsets (its reading at zero MI) comes off where the data read no more: independent data read near 0, not the network's 0.02-0.1, the point and the batch agree, and dependence keeps its estimate."
    rng = np.random.default_rng(11)
    for dx, dy in ((1, 1), (4, 4)):
        x = rng.normal(size=(12_000, dx)) @ rng.normal(size=(dx, dx)); y = rng.normal(size=(12_000, dy))
        r = est.estimate_with_info(x, y)
        raw = est._combine(est._outputs(*est._validated(x, y)[3:5]), 0.9)[0]        # the network alone: 0.017 (1 + 1), 0.060 (4 + 4); after: 0.008, 0.034
        assert r.mi < min(raw - 0.005, 0.05) and r.lower == 0 and r.lower <= r.mi <= r.upper and any('shuffled' in m for m in r.notes), (raw, r)
        assert est.estimate(x, y) == pytest.approx(r.mi, abs=1e-9) and est.estimate_batch([(x, y)])[0] == pytest.approx(r.mi, abs=1e-6)
    x = rng.normal(size=(12_000, 1)); y = 0.3 * x + math.sqrt(0.91) * rng.normal(size=(12_000, 1))   # MI 0.047: weak, but seen
    r = est.estimate_with_info(x, y)
    assert not any('shuffled' in m for m in r.notes) and r.lower <= -0.5 * math.log(0.91) <= r.upper, r


def test_limits_are_said_out_loud(est):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(300, 2))
    r = est.estimate_with_info(x, 4 * x[:, :1] - 2)                # Y an exact copy of a column of X
    assert r.mi == math.inf and any('infinite' in m for m in r.notes)
    r = est.estimate_with_info(x, x[:, :1] ** 3)                   # a monotone copy: open upper end, finite estimate
    assert math.isfinite(r.mi) and r.upper == math.inf and any('monotone function' in m for m in r.notes)
    r = est.estimate_with_info(x[:8], x[:8, :1] + rng.normal(size=(8, 1)))
    assert (r.lower, r.upper) == (0.0, math.inf) and any('below the trained range' in m for m in r.notes)
    y = x[:, :1] + 0.003 * rng.normal(size=(300, 1))                # about 5.8 nats: beyond what 300 rows certify
    r = est.estimate_with_info(x[:, :1], y)
    assert r.upper == math.inf and any('ln(n)' in m for m in r.notes)


def test_independence_test_rejects_dependence_and_keeps_its_level(est):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(150, 1))
    assert independence_test(x, np.abs(x) + 0.3 * rng.normal(size=(150, 1)), n_permutations=49, model=est) <= 0.04
    ps = [independence_test(rng.normal(size=(80, 2)), rng.normal(size=(80, 1)), n_permutations=19, seed=s, model=est) for s in range(10)]
    assert np.mean(np.array(ps) <= 0.05) <= 0.3
    for st in ('mist', 'all'):
        assert independence_test(x, np.abs(x) + 0.3 * rng.normal(size=(150, 1)), n_permutations=49, model=est, statistic=st) <= 0.04


def test_independence_test_p_values_are_uniform_under_independence():
    "Under independence every statistic's p-value is uniform on {1/(P+1), ..., 1}: its share below 0.2 is 0.2 (60 seeds, within 3 standard errors)."
    rng = np.random.default_rng(11)
    for st in ('hsic+cca', 'hsic', 'cca', 'knn', 'hsic+cca+knn'):
        ps = np.array([independence_test(rng.normal(size=(60, 2)), rng.integers(0, 3, 60).astype(float) if s % 2 else rng.normal(size=(60, 3)),
                                         n_permutations=19, seed=s, statistic=st) for s in range(60)])
        assert abs(np.mean(ps <= 0.2) - 0.2) < 3 * math.sqrt(0.2 * 0.8 / 60), (st, np.mean(ps <= 0.2))


def test_independence_test_sees_a_group_shift_that_the_mi_statistic_misses(est):
    "A label whose first of three groups is shifted by 0.6 sd (n = 200): the default test rejects in most seeds, the MI statistic in few."
    def sample(s):
        r = np.random.default_rng(300 + s)
        lab = r.choice(['a', 'b', 'c'], 200)
        return lab, (lab == 'a') * 0.6 + r.normal(size=200)
    p_default = [independence_test(*sample(s), n_permutations=39, seed=s) for s in range(8)]
    p_mist = [independence_test(*sample(s), n_permutations=39, seed=s, model=est, statistic='mist') for s in range(8)]
    assert np.mean(np.array(p_default) <= 0.05) >= 0.6 > np.mean(np.array(p_mist) <= 0.05)


def test_the_one_neighbour_statistic_sees_fine_structure_that_hsic_misses():
    "Y = sin(2 pi 16 X) + 0.3 e, n = 500 (0.86 nats): HSIC and CCA rarely reject; with one-neighbour KSG added the test does in every seed."
    for s in range(3):
        rng = np.random.default_rng(s)
        x = rng.random(500); y = np.sin(2 * np.pi * 16 * x) + 0.3 * rng.normal(size=500)
        assert independence_test(x, y, seed=s, statistic='hsic+cca+knn') <= 0.02, s
    # (hsic+cca on the same seeds: p = 0.09, 0.74, 0.28 - measured, not asserted: that is the default's documented blind spot)


def test_independence_test_on_more_rows_than_hsic_uses():
    "Above HSIC_ROWS rows the HSIC Gram matrices use a seeded subset: the test still runs, is seeded, and sees a strong dependence."
    from mist_nb.estimate import HSIC_ROWS
    rng = np.random.default_rng(2)
    x = rng.normal(size=(HSIC_ROWS + 500, 1))
    y = np.cos(3 * x) + 0.5 * rng.normal(size=x.shape)
    p = independence_test(x, y, n_permutations=9, statistic='hsic')
    assert p == independence_test(x, y, n_permutations=9, statistic='hsic') == 0.1
    with pytest.raises(ValueError, match='statistic must be one of'): independence_test(x, y, statistic='dcor')


@pytest.mark.parametrize('n, d', [(10, 16), (12, 4), (20, 1)])
def test_small_samples_need_a_permutation_test_for_a_positive_lower_end(est, n, d):
    "Below 30 rows a positive lower end must survive a permutation test: independent, internally mixed sides stay at 0."
    rng = np.random.default_rng(100 + n)
    mix = rng.normal(size=(d, d))
    lows = [est.estimate_with_info(rng.normal(size=(n, d)) @ mix, rng.normal(size=(n, d)) @ mix).lower for _ in range(12)]
    assert np.mean(np.array(lows) <= 0.02) >= 10 / 12, lows
    x = rng.normal(size=(20, 1))                                                              # (at n = 10 the network's own lower end is often 0)
    r = est.estimate_with_info(x, x + 0.2 * rng.normal(size=(20, 1)))                        # about 1.6 nats: the test rejects
    assert r.lower > 0 and not any('permutation test' in m for m in r.notes), r


def test_the_upper_end_rises_when_the_ksg_branch_sees_more(est):
    "y = sin(6x) + noise (about 1.3 nats) is read low by the network; KSG reads more, so the upper end is lifted past it."
    rng = np.random.default_rng(8)
    x = rng.uniform(-np.pi, np.pi, (1000, 1)); y = np.sin(6 * x) + 0.1 * rng.normal(size=(1000, 1))
    prep = est._validated(x, y)
    outs = est._outputs(prep[3], prep[4])
    mid, _, _, ksg = est._combine(outs, 0.9)
    ksg = max(ksg, est._floor_ksg(outs))                                 # the floor reads KSG at k = 1, 2 and 4
    r = est.estimate_with_info(x, y)
    assert ksg > mid + 0.1 and r.upper >= 2 * ksg - mid - 1e-9 and r.lower <= r.mi <= r.upper
    # the note names the lift only when the KSG floor, not the calibrated upper end, sets it (off-training calibration
    # already puts this upper end above the floor); the checks after it (here the regression floor) are off for this
    r = MIST.load('mist-qr', pair_check=False).estimate_with_info(x, y)
    floor = mid + 2 * (ksg - mid)
    assert any('KSG estimate' in m and 'raised' in m for m in r.notes) == (r.upper <= floor + 0.05 + 1e-9), (r, floor, r.notes)
    z = rng.normal(size=(1000, 2))
    r = est.estimate_with_info(z, z[:, :1] + rng.normal(size=(1000, 1)))                     # a Gaussian: no note
    assert not any('KSG estimate' in m for m in r.notes), r.notes


def _sine_mi(sigma: float) -> float:
    "I(X; sin(2 pi w X) + sigma E) for X ~ U(0, 1) and any integer w: h(Y) - h(sigma E), h(Y) by quadrature of the arcsine law plus noise."
    from scipy.stats import norm
    u = (np.arange(20_000) + 0.5) / 20_000; g = np.linspace(-1 - 8 * sigma, 1 + 8 * sigma, 2001)
    p = sum(norm.pdf(g[:, None], np.sin(2 * np.pi * c)[None], sigma).sum(1) for c in np.array_split(u, 20)) / len(u)
    return float(-(p * np.log(np.clip(p, 1e-300, None))).sum() * (g[1] - g[0]) - 0.5 * np.log(2 * np.pi * np.e * sigma ** 2))


@pytest.mark.parametrize('n', [500, 2000])
def test_the_upper_end_follows_ksg_at_small_k_on_fine_structure(est, n):
    "y = sin(2 pi 8 x) + 0.1 e (1.70 nats): the network and KSG-4 read far too little, KSG-1 does not, and the interval covers."
    truth = _sine_mi(0.1)
    assert abs(truth - 1.699) < 0.005
    for seed in range(3):   # before the floor read k = 1 and 2: upper ends 0.40-0.49 at n = 500, 1.31-1.57 at n = 2000, none covering
        rng = np.random.default_rng(seed)
        x = rng.random(n); y = np.sin(2 * np.pi * 8 * x) + 0.1 * rng.normal(size=n)
        r = est.estimate_with_info(x, y)
        assert r.lower <= truth <= r.upper, (seed, r)


def test_the_lower_end_reaches_the_classical_estimates(est):
    "A 1 x 1 Gaussian with 8 nats at n = 2,000: the truth is inside; the lower end comes down to the Gaussian copula unless the Gaussian twin clears the network (then a note says it stands)."
    from mist_nb.estimate import gaussian_copula_mi
    rng = np.random.default_rng(9)
    rho = math.sqrt(1 - math.exp(-2 * 8.0))
    x = rng.normal(size=(2000, 1)); y = rho * x + math.sqrt(1 - rho ** 2) * rng.normal(size=(2000, 1))
    r = est.estimate_with_info(x, y)
    prep = est._validated(x, y)
    stands = any('which stands' in m for m in r.notes)     # measured: it stands (the twin's MI on ranks is 6.9 nats, which the network does not over-read)
    assert (stands or r.lower <= max(gaussian_copula_mi(prep[3], prep[4]), 0) + 1e-9) and r.lower <= 8.0 <= r.upper, r
    r50 = est.estimate_with_info(x, y, level=0.5)
    assert r50.lower >= r.lower - 1e-9 and r50.lower <= r50.mi <= r50.upper, r50                   # below 90% it moves part of the way


def test_the_estimate_respects_the_data_processing_inequality(est):
    "I(X;Y) >= I(x_i; y_j): with one strongly dependent column pair among noise columns, the estimate and the upper end reach the pair's."
    from mist_nb.sampling import channel_tau, channel_mi
    off = MIST.load('mist-qr', pair_check=False)
    tau = float(channel_tau('abs', 5.0)); truth = float(channel_mi('abs', tau))      # y_j = |x_i| + tau e: 5 nats in the pair
    rng = np.random.default_rng(11)
    closer = 0
    for s in range(6):
        n, dx, dy = 400, 3 + s % 3, 2 + s % 2
        x, y = rng.normal(size=(n, dx)), rng.normal(size=(n, dy))
        i, j = s % dx, (s + 1) % dy
        y[:, j] = np.abs(x[:, i]) + tau * rng.normal(size=n)
        r, pair, joint = est.estimate_with_info(x, y), est.estimate_with_info(x[:, [i]], y[:, [j]]), off.estimate_with_info(x, y)
        assert r.mi >= pair.mi - 1e-9 and r.upper >= pair.upper - 1e-9 and r.lower == joint.lower, (s, r, pair)
        assert r.mi == joint.mi or any(f'x[:, {i}] and y[:, {j}] alone carry' in m for m in r.notes), r.notes
        closer += abs(r.mi - truth) < abs(joint.mi - truth) - 0.5
    assert closer >= 4, closer           # the joint estimate alone reads low here (it is about 3.5 nats)


def test_independence_test_keeps_its_level_on_a_bootstrap_resample():
    "A resample's copies move together under the observed pairing and apart under permutation: left out, the test keeps its level (before: 66 of 100 resamples rejected at 5%)."
    ps = []
    for s in range(40):
        rng = np.random.default_rng(s)
        x, y, b = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)), rng.integers(0, 200, 200)
        ps.append(independence_test(x[b], y[b], n_permutations=39, seed=s))
    assert np.mean(np.array(ps) <= 0.05) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 40), ps


def _ar(n, phi, rng, d=1):
    "An AR(1) series (n, d), started in its stationary law."
    e, a = rng.normal(size=(n, d)), np.zeros((n, d))
    a[0] = e[0] / math.sqrt(1 - phi ** 2)
    for t in range(1, n): a[t] = phi * a[t - 1] + e[t]
    return a


def test_independent_series_get_no_positive_lower_end(est):
    "Rows in time order: independent persistent series read as dependent without the check; the circular-shift test sets the lower end to 0."
    unchecked, lows = [], []
    for s in range(4):
        rng = np.random.default_rng(40 + s)
        x, y = _ar(400, 0.98, rng), _ar(400, 0.98, rng, 2)
        unchecked.append(est._result(x, y, 0.9, serial=False).lower)
        r = est.estimate_with_info(x, y)
        assert r.notes and any(m.startswith('the rows are not in random order') for m in r.notes), r.notes
        lows.append(r.lower)
        assert not any('random order' in m for m in est.estimate_with_info(rng.permutation(x), rng.permutation(y)).notes)
    assert max(unchecked) > 0.05, unchecked        # the failure the check is for: a confident claim of dependence
    assert sum(v == 0 for v in lows) >= 3, lows


def test_dependent_series_keep_their_lower_end(est):
    for s in range(3):
        rng = np.random.default_rng(50 + s)
        x = _ar(400, 0.9, rng)
        r = est.estimate_with_info(x, np.sin(x) + 0.5 * rng.normal(size=x.shape))
        assert r.lower > 0.2 and any('rejects independence' in m for m in r.notes), (r, r.notes)


def test_independence_test_shifts_rows_of_a_series():
    "For two independent AR(0.9) series, row permutations reject far too often; circular shifts keep the level (and are chosen by default, with a warning)."
    rej_perm, rej_shift = [], []
    for s in range(30):
        rng = np.random.default_rng(60 + s)
        x, y = _ar(200, 0.9, rng), _ar(200, 0.9, rng)
        rej_perm.append(independence_test(x, y, n_permutations=39, seed=s, null='permutation') <= 0.05)
        rej_shift.append(independence_test(x, y, n_permutations=39, seed=s, null='shift') <= 0.05)
    assert np.mean(rej_perm) >= 0.3 and np.mean(rej_shift) <= 0.12, (np.mean(rej_perm), np.mean(rej_shift))
    with pytest.warns(UserWarning, match='circular shifts'):
        p = independence_test(x, y, n_permutations=39, seed=29)
    assert p == independence_test(x, y, n_permutations=39, seed=29, null='shift')
    with pytest.raises(ValueError, match='null must be one of'):
        independence_test(x, y, null='blocks')


def test_the_mixed_factors_are_those_of_their_calibration_run():
    "MIXED_FACTORS and MIXED_SLACK are what scripts/calibrate_mixed.py fitted and wrote to data/results/mixed_calibration.json."
    import json
    from mist_nb.core import data_dir
    from mist_nb.estimate import MIXED_FACTORS, MIXED_SLACK, MIXED_RPL_EDGES, mixed_factors, mixed_bucket
    cal = json.loads((data_dir() / 'results' / 'mixed_calibration.json').read_text())
    assert cal['slack'] == MIXED_SLACK and tuple(cal['rows_per_label_edges']) == MIXED_RPL_EDGES
    assert [{float(L): tuple(v) for L, v in t.items()} for t in cal['factors']] == list(MIXED_FACTORS)
    for rpl in (10, 500):
        for L, (qu, ql, qh) in MIXED_FACTORS[mixed_bucket(rpl)].items():   # the table's own levels come back, never inside out
            assert mixed_factors(L, 1, rpl) == pytest.approx((max(ql, 0.0), max(qu, 0.0)))
            assert mixed_factors(L, 3, rpl) == pytest.approx((max(qh, 0.0), max(qu, 0.0)))
    assert mixed_factors(0.99, 1, 500)[1] > MIXED_FACTORS[1][0.95][0] > MIXED_FACTORS[1][0.5][0] > mixed_factors(0.2, 1, 500)[1] >= 0


def _label_sample(n: int, d: int, seed: int, shift: float = 1.0) -> tuple:
    "A binary label and d continuous columns, the first shifted by `shift` between the classes: (label, y, exact MI)."
    from scipy import integrate
    g = np.random.default_rng(seed)
    lab = g.integers(0, 2, n)
    y = g.normal(size=(n, d)); y[:, 0] += shift * lab
    f = lambda v: 0.5 * (math.exp(-v ** 2 / 2) + math.exp(-(v - shift) ** 2 / 2)) / math.sqrt(2 * math.pi)
    h = -integrate.quad(lambda v: f(v) * math.log(f(v)), -12, 12 + shift, points=[0, shift])[0]
    return lab.astype(float), y, h - 0.5 * math.log(2 * math.pi * math.e)


def test_a_label_gets_the_mixed_estimators_calibrated_interval(est):
    "Against one or two continuous columns the interval is the mixed estimator's own calibrated one: it covers, several times narrower than the network's."
    rs, truth = [], None
    for s in range(16):
        lab, y, truth = _label_sample(1000, 1, s)
        rs.append(est.estimate_with_info(lab, y, 0.9))
    cover = np.mean([r.lower <= truth <= r.upper for r in rs])
    width = np.median([r.upper - r.lower for r in rs])
    # measured: coverage 0.94, median width 0.075 nats; the union with the network's interval before: 1.0 and 0.245
    assert cover >= 0.8 and width < 0.12, (cover, width)
    assert all('its calibrated one' in ' '.join(r.notes) for r in rs)


def test_a_count_keeps_the_information_in_its_rare_tail(est):
    "A Poisson count against a Gaussian (30-70 values, a tail of values seen once or twice): read within 0.05 nats of the exact MI, and covered."
    from scipy import special, stats
    gx, gw = np.polynomial.hermite_e.hermegauss(200); gw = gw / gw.sum()
    P = stats.poisson.pmf(np.arange(400)[None], np.exp(0.5 + 1.5 * gx)[:, None]); py = gw @ P
    truth = float(-special.xlogy(py, py).sum() + gw @ special.xlogy(P, P).sum(1))     # H(Y) - E_x H(Y | x) = 0.879 nats
    rs = []
    for s in range(3):
        g = np.random.default_rng(s); x = g.normal(size=(2000, 1))
        rs.append(est.estimate_with_info(x, g.poisson(np.exp(0.5 + 1.5 * x)).astype(float), 0.9))
    # measured: 0.893, 0.874, 0.849, all covered; with the tail's rows left out it read 0.838, 0.811, 0.794 and missed 1 of 3
    assert np.mean([abs(r.mi - truth) for r in rs]) < 0.05 and all(r.lower <= truth <= r.upper for r in rs), (truth, rs)


def test_a_label_that_the_data_determine_reads_its_entropy(est):
    "Y = round(s X) against X (and beside a noise column): I(X;Y) = H(Y) exactly; the estimate is H and the intervals cover it, where the mixed estimator and the network alone read it low."
    from scipy import stats
    cover = []
    for sd, n in ((2.0, 200), (4.0, 200), (1.0, 500)):
        k = np.arange(-80, 81); p = np.diff(stats.norm.cdf((np.r_[k - 0.5, k[-1] + 0.5]) / sd)); p = p[p > 0]
        truth = float(-(p * np.log(p)).sum())
        for s in range(6):
            g = np.random.default_rng(s); x = g.normal(size=(n, 1)) * sd
            r = est.estimate_with_info(np.c_[x, g.normal(size=(n, 1))], np.round(x), 0.9)
            assert any('is determined by' in m for m in r.notes), r.notes
            assert abs(r.mi - truth) < 0.12, (sd, n, r, truth)
            cover.append(r.lower <= truth <= r.upper)
    # measured (scratch/rounded.py, 12 seeds each): 90% coverage 0.83-1.00 by (sd, n); 0.58-0.83 for sd = 2, 4 before the check
    assert np.mean(cover) >= 0.8, np.mean(cover)


def test_a_censored_side_is_read_through_its_atom(est):
    "Y = max(0, X + tau E), half its rows at 0: the atom's indicator and the chain rule read it within 0.1 nats, covered, with a note."
    from mist_nb.sampling import output_channel_mi
    for tau, d in ((0.05, 1), (0.1, 2)):
        truth = d * output_channel_mi('censored', tau)                      # 1.827 and 2.929 nats
        for s in range(3):
            g = np.random.default_rng(s); x = g.normal(size=(2000, d))
            r = est.estimate_with_info(x, np.maximum(0, x + tau * g.normal(size=(2000, d))), 0.9)
            # measured: errors 0.01-0.04 nats; with the atom's ties broken at random, 0.08-0.15 (1 x 1) and 0.36-0.40 (2 x 2)
            assert abs(r.mi - truth) < 0.1 and r.lower <= truth <= r.upper and any('an atom' in m for m in r.notes), (tau, d, s, truth, r)


def test_in_three_or_more_columns_the_label_interval_keeps_the_networks_upper_end(est):
    "With 3+ continuous columns the mixed estimator can read low at high MI, so the upper end is at least the network's."
    lab, y, truth = _label_sample(600, 4, 0, shift=2.5)
    r = est.estimate_with_info(lab, y, 0.9)
    m_hi = float(__import__('re').search(r'its calibrated one \[[0-9.]+, ([0-9.]+)\]', ' '.join(r.notes)).group(1))
    assert r.upper >= m_hi and r.lower <= truth <= r.upper, (r, truth)


def test_the_conformal_factors_depend_on_the_size_of_the_estimate(est):
    "Each end's factor is fitted per bin of the network's median too (Mondrian by the estimate), and a sample gets its bin's factor."
    from mist_nb.estimate import estimate_bin, ESTIMATE_EDGES
    by = est.calibration['sides']['by_estimate']
    assert by['edges'] == list(ESTIMATE_EDGES)
    assert estimate_bin(0.0) == '0' and estimate_bin(ESTIMATE_EDGES[0]) == '1' and estimate_bin(5.0) == str(len(ESTIMATE_EDGES))
    for k, bins in by['upper'].items():
        n, d = int(k.split('-')[0][1:]), int(k.split('-')[1][1:])
        n = max(n, 10) + 1
        for b, table in bins.items():
            mid = 0.0 if b == '0' else ESTIMATE_EDGES[int(b) - 1] + 0.1
            assert est._correction(0.9, n, d, mid)[1] == pytest.approx(table['0.9']), (k, b)
    # the bins differ where it matters: a near-independent read misses far more often than a strong one
    assert by['upper']['n300-d7']['0']['0.9'] > 2 * by['upper']['n300-d7']['1']['0.9']


def test_a_strongly_dependent_gaussian_gets_an_upper_end_that_fits_it(est):
    "4 + 4 Gaussian columns, correlation 0.5 per pair (0.575 nats), n = 500: the 90% interval covers the truth and its upper end stays below 2.8 nats."
    # measured upper ends 1.82-2.71 with the factors by estimate size (1.46-2.04 with the model shipped before 2026-12-06, whose
    # raw upper quantiles were narrower); 2.66-3.72 with one factor per bucket (the previous calibration)
    ups = []
    for s in range(4):
        r = np.random.default_rng(s); x = r.standard_normal((500, 4)); y = 0.5 * x + math.sqrt(0.75) * r.standard_normal((500, 4))
        res = est.estimate_with_info(x, y)
        assert res.lower <= 0.575 <= res.upper
        ups.append(res.upper)
    assert max(ups) < 2.8, ups


def _logistic_label_mi(b: float) -> float:
    "I(S; Y) for S ~ N(0, 1) and P(Y = 1 | S) = sigmoid(b S), by quadrature."
    from scipy.special import expit
    s = np.linspace(-9, 9, 3601); w = np.exp(-s ** 2 / 2); w /= w.sum()
    hb = lambda p: -(p * np.log(np.clip(p, 1e-300, None)) + (1 - p) * np.log(np.clip(1 - p, 1e-300, None)))
    return float(hb(w @ expit(b * s)) - w @ hb(expit(b * s)))


@pytest.mark.parametrize('d, k', [(20, 5), (50, 1)])
def test_dependence_spread_over_many_columns_is_seen(est, d, k):
    "A label that depends on the sum of k of d columns (d = 50: wider than the network's 32): the projection check reads it, the joint estimate alone does not."
    from scipy.special import expit
    truth = _logistic_label_mi(3.0)                                          # 0.333 nats
    for s in range(2):
        g = np.random.default_rng(s)
        x = g.normal(size=(2000, d)); y = (g.random(2000) < expit(3 * x[:, :k].sum(1) / math.sqrt(k))).astype(float)
        r = est.estimate_with_info(x, y)
        # measured 0.30-0.33 at n = 2,000 (joint estimate alone: 0.19-0.22 for d = 20, 0.08-0.10 for d = 50)
        assert abs(r.mi - truth) < 0.08 and r.lower <= truth <= r.upper, (r, truth)
        assert any('one direction per side' in m for m in r.notes)


def test_the_projection_floor_lifts_nothing_on_independent_wide_data(est):
    for s in range(3):
        g = np.random.default_rng(s)
        r = est.estimate_with_info(g.normal(size=(600, 12)), g.normal(size=(600, 12)))
        assert r.lower <= 0.02 and not any('one direction per side' in m for m in r.notes), r.notes



def _held(family, dim, seed):
    "A task of the held-out mix's component `family` with dim_x = dim_y = dim."
    from dataclasses import replace
    from mist_nb.sampling import SPECS, draw_tasks
    base = SPECS['heldout']()
    return draw_tasks(replace(base, dim_x=(dim, dim), dim_y=(dim, dim), components=[c for c in base.components if c.name == family]), 1, seed=seed)[0]


def test_a_rotated_ring_is_read_through_one_quadratic_form_per_side(est):
    "A ring turned into 4 + 4 columns (never trained on): the network alone reads it low; one quadratic form per side, fitted on the other half of the rows, lifts the estimate, and the interval holds the truth."
    t = _held('circle-rotate', 4, 2)
    x, y = t.sample(2000, 1)
    off, on = est._result(x, y, 0.9, cache={'quad': []}), est.estimate_with_info(x, y, 0.9)
    # measured: without the check 0.17 [0, 2.96], with it 0.30 [0.21, 3.09] for 0.475 nats
    assert any('one quadratic form per side' in m for m in on.notes) and on.mi > off.mi + 0.1
    assert on.lower <= t.mutual_information <= on.upper and off.upper < on.upper


def test_the_quadratic_floor_needs_significance(est):
    "On Gaussians (the best quadratic form is linear, the joint reading close) and on independent columns, the floor never counts."
    g = np.random.default_rng(7)
    for s in range(3):
        z = g.normal(size=(500, 6))
        for x, y in ((z[:, :3], z[:, :3] @ g.normal(size=(3, 3)) * 0.4 + z[:, 3:]), (z[:, :3], z[:, 3:])):
            r = est.estimate_with_info(x, y)
            assert not any('one quadratic form per side' in m for m in r.notes), r

def test_the_point_model_takes_the_projection_floor_too():
    "The point model has no interval: the floor's test must not need one (a label on 5 of 20 columns, n = 2,000)."
    from scipy.special import expit
    g = np.random.default_rng(0)
    x = g.normal(size=(2000, 20)); y = (g.random(2000) < expit(3 * x[:, :5].sum(1) / math.sqrt(5))).astype(float)
    r = MIST.load('mist').estimate_with_info(x, y)
    assert r.lower is None and any('one direction per side' in m for m in r.notes)
    assert abs(r.mi - _logistic_label_mi(3.0)) < 0.08


def test_the_gaussian_surrogate_takes_the_networks_bias_off():
    "6 + 6 Gaussian columns with a random covariance at n = 2,000 read 0.5 nats high from the network alone; the surrogate check brings them within 0.15, through the public function."
    from mist_nb import estimate_mi
    g = np.random.default_rng(1001)
    W = g.normal(size=(12, 12 + int(g.integers(0, 3)))); S = W @ W.T + 0.05 * np.eye(12)
    v = g.multivariate_normal(np.zeros(12), S, size=2000)
    truth = 0.5 * (np.linalg.slogdet(S[:6, :6])[1] + np.linalg.slogdet(S[6:, 6:])[1] - np.linalg.slogdet(S)[1])
    r = estimate_mi(v[:, :6], v[:, 6:], level=0.9)
    assert any('with the same normal-score correlations' in m for m in r.notes), r.notes
    assert abs(r.mi - truth) < 0.15 and r.lower <= truth <= r.upper, (truth, r)



def test_the_gaussian_surrogate_takes_a_small_bias_off_a_narrow_gaussian():
    "A 2 + 1 Gaussian with MI 0.511 at n = 2,000 read 0.088 nats high on average over 4 seeds while the surrogate check needed an excess of 0.1 (and a twin MI of 0.1 on narrow data); from 0.03 (0.02) it reads within 0.05."
    from mist_nb import estimate_mi
    errs, fired = [], 0
    for s in range(4):
        g = np.random.default_rng(s)
        c = g.normal(size=(2000, 2)); y = 0.8 * (c[:, 0] + c[:, 1]) / math.sqrt(2) + 0.6 * g.normal(size=2000)
        r = estimate_mi(c, y)
        errs.append(r.mi + 0.5 * math.log(1 - 0.64)); fired += any('with the same normal-score correlations' in m for m in r.notes)
        assert r.lower <= r.mi <= r.upper
    assert fired >= 2 and abs(np.mean(errs)) < 0.05, (errs, fired)


@pytest.mark.parametrize('K,n', [(10, 300), (20, 1000)])
def test_a_label_binned_from_x_keeps_its_entropy_inside_the_interval(K, n):
    "K equal-count bins of x against x: I = H(label) = ln K, which the mixed estimator reads about 1.5 K/n low; the upper end must still reach it (it missed in 3 of 3 seeds before the upper end went up to H near it)."
    from scipy.stats import norm
    from mist_nb import estimate_mi
    from mist_nb.estimate import discrete_entropy
    for s in range(3):
        g = np.random.default_rng([s, n, K])
        x = g.normal(size=n); lab = np.digitize(x, norm.ppf(np.arange(1, K) / K))
        r = estimate_mi(x, lab)
        assert r.lower <= math.log(K) <= r.upper and r.upper <= math.log(K) + 0.05, r
    assert discrete_entropy(np.repeat(np.arange(K), 50))[1] > 0          # equal frequencies: the second-order term keeps a spread

@pytest.mark.parametrize('seed', [0, 1, 2])
def test_the_regression_floor_lifts_fine_structure_the_network_misses(est, seed):
    "Y = sin(16 X) + 0.2 E at n = 2,000 (1.154 nats): the network alone reads about half; the kNN regression floor lifts the estimate and keeps it inside its interval, below the truth's upper end."
    from mist_nb.sampling import get_channel
    truth = get_channel('sine16').quadrature_mi(0.2)
    g = np.random.default_rng(seed)
    x = g.normal(size=(2000, 1)); y = np.sin(16 * x) + 0.2 * g.normal(size=(2000, 1))
    alone = MIST.load('mist-qr', pair_check=False).estimate_with_info(x, y)
    r = est.estimate_with_info(x, y)
    assert any('nearest-neighbour regression' in m for m in r.notes), r.notes
    assert r.mi > alone.mi + 0.1 and r.lower <= r.mi <= r.upper and r.lower <= truth <= r.upper, (alone, r)
    assert est.estimate(x, y) == pytest.approx(r.mi)                     # the point path takes the same floor



def test_a_smooth_outcome_of_eight_columns_is_lifted_by_the_ridge_route(est, monkeypatch):
    "Y = f(X_1..X_8) + E (a linear part and an interaction, skewed columns): the quadratic ridge route lifts what kNN routes and the network read low, and the interval keeps the truth."
    import mist_nb.estimate as E
    monkeypatch.setattr(E, 'QUAD_MAX_COLUMNS', 0)                          # the quadratic projection check off: this is about the regression routes
    g = np.random.default_rng(3)
    b = np.full(8, 8 ** -0.5)
    f = lambda z: 2 * (z @ b + z[:, 0] * z[:, 1])
    from mist_nb.sampling import functional_mi
    truth = functional_mi(f(g.normal(size=(100_000, 8))), 'gauss', 1.0)   # I(Z; f(Z) + E) by quadrature: about 1.08 nats
    z = g.normal(size=(1000, 8))
    x, y = np.c_[np.exp(z[:, :4]), z[:, 4:] ** 3], (f(z) + g.normal(size=1000))[:, None]
    r = est.estimate_with_info(x, y)
    monkeypatch.setattr(E, 'REGRESSION_MAX_RIDGE', 0)                     # the kNN routes alone
    old = est.estimate_with_info(x, y)
    assert any('quadratic ridge regression' in m for m in r.notes), r.notes
    assert r.mi > old.mi + 0.15 and r.lower <= r.mi <= r.upper and r.lower <= truth <= r.upper and abs(r.mi - truth) < 0.25, (truth, old, r)   # 0.517 -> 0.899 for 1.078

def test_the_regression_floor_certifies_nothing_on_independent_or_copied_rows(est):
    "Independent sides (one and two columns, heavy tails), and a bootstrap resample of them (copies that predict their twins), give no floor."
    from mist_nb.estimate import regression_floor, floor_nats, REGRESSION_Z
    for s in range(5):
        g = np.random.default_rng(s)
        x, y = g.normal(size=(1000, 2)), g.standard_t(2, size=(1000, 1))
        assert floor_nats(regression_floor(x, y, s), REGRESSION_Z) <= 0.02
        b = g.integers(0, 1000, 1000)
        assert floor_nats(regression_floor(x[b, :1], y[b], s), REGRESSION_Z) <= 0.02
    r = est.estimate_with_info(x, y)
    assert not any('nearest-neighbour regression' in m for m in r.notes)


def test_the_regression_floor_skips_series():
    "Two independent slow series predict each other's neighbours in time: the check must not run on ordered rows."
    g = np.random.default_rng(0)
    ar = lambda: np.convolve(g.normal(size=1500), 0.95 ** np.arange(60))[:1500, None]
    r = MIST.load('mist-qr').estimate_with_info(ar(), ar())
    assert not any('nearest-neighbour regression' in m for m in r.notes), r.notes


def test_the_twin_check_runs_only_where_the_cap_would_bind(est, monkeypatch):
    "The Gaussian twin's pass (`_twin`) is paid only by an interval whose lower end the classical cap would move; a point estimate never pays it."
    from mist_nb.estimate import MIST as _M
    from mist_nb.sampling import get_task
    calls = []
    orig = _M._outputs
    monkeypatch.setattr(_M, '_outputs', lambda self, *a, **k: calls.append(1) or orig(self, *a, **k))
    x, y = get_task('student-identity-3-3-2').sample(500, 0)      # Student-t: both classical bounds lie below the network's lower end
    est.estimate(x, y); point = len(calls)
    r = est.estimate_with_info(x, y, 0.9)
    assert point == 1 and len(calls) == 3 and any('which stands' in m for m in r.notes), (point, len(calls), r.notes)
    calls.clear()
    g = np.random.default_rng(1)
    est.estimate_with_info(g.normal(size=(500, 2)), g.normal(size=(500, 2)), 0.9)   # independent: the cap has nothing to move
    assert len(calls) == 1


def test_the_shipped_calibration_is_fitted_after_the_widenings(est):
    "The shipped factors are the second stage's: upper ends refitted on the final intervals, lower ends the first stage's."
    cal = est.calibration
    assert cal['widenings']['ends'] == ['upper']
    assert cal['sides']['lower'] == cal['first_stage']['lower']
    assert cal['sides']['by_estimate']['lower'] == cal['first_stage']['by_estimate']['lower']
    # the widenings already cover part of the draws the raw interval misses, so the upper factors come down
    ups = [(cal['sides']['upper'][k]['0.9'], cal['first_stage']['upper'][k]['0.9']) for k in cal['sides']['upper']]
    assert sum(a <= b for a, b in ups) >= len(ups) - 1, ups
    assert cal['widenings']['coverage_first_stage']['0.9'] > 0.9      # why it was refitted: the first stage over-covered


def test_calibrate_script_runs_both_stages_and_refits_from_kept_draws(tmp_path):
    "scripts/calibrate.py on a tiny draw: both stages, the upper ends refitted; kept draws reproduce it; kept draws of other settings are refused."
    import json, os, subprocess, sys
    from pathlib import Path
    from mist_nb.estimate import check_calibration
    script = Path(__file__).resolve().parents[1] / 'scripts' / 'calibrate.py'
    tiny = ['--shapes', '2', '--per-shape', '2', '--large-shapes', '1', '--large-per-shape', '1',
            '--widening-per-shape', '1', '--widening-large-per-shape', '1']
    def run(*extra, out=None):
        return subprocess.run([sys.executable, str(script), *tiny, '--out', str(out or tmp_path / 'x.json'), *extra], capture_output=True,
                              text=True, timeout=600, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    r = run('--save-draws', str(tmp_path / 'd.pkl'), '--save-widening-draws', str(tmp_path / 'w.pkl'), out=tmp_path / 'a.json')
    assert r.returncode == 0, r.stderr[-3000:]
    a = check_calibration(json.loads((tmp_path / 'a.json').read_text()), 'a.json')
    assert a['widenings']['ends'] == ['upper'] and a['sides']['lower'] == a['first_stage']['lower']
    assert a['sides']['upper'] != a['first_stage']['upper']
    assert sum(a['widenings']['counts'].values()) == 15 * 3 + 3 * 1      # per bucket: 2 training-mix shapes and 1 off-training, 1 draw each
    r = run('--from-draws', str(tmp_path / 'd.pkl'), '--from-widening-draws', str(tmp_path / 'w.pkl'), out=tmp_path / 'b.json')
    assert r.returncode == 0, r.stderr[-3000:]
    b = json.loads((tmp_path / 'b.json').read_text())
    assert (b['sides'], b['first_stage'], b['widenings']['counts']) == (a['sides'], a['first_stage'], a['widenings']['counts'])
    r = run('--from-draws', str(tmp_path / 'd.pkl'), '--from-widening-draws', str(tmp_path / 'w.pkl'), '--widening-per-shape', '2')
    assert r.returncode != 0 and 'holds draws' in r.stderr


def test_estimate_levels_reuses_a_cache_and_matches_one_level_at_a_time(est):
    "estimate_levels gives each level's MIResult as estimate_with_info does, and a cache passed twice gives the same results again."
    rng = np.random.default_rng(21)
    x = rng.normal(size=(400, 3)); y = np.c_[x[:, 0] ** 2, x[:, 1]] + rng.normal(size=(400, 2))
    cache = {}
    first = est.estimate_levels(x, y, (0.5, 0.9), cache)
    assert {'levels_prep', 'levels_outs', 'conformal'} <= set(cache) and set(cache['conformal']) == {0.5, 0.9}
    again = est.estimate_levels(x, y, (0.5, 0.9), cache)
    for a, b, L in zip(first, again, (0.5, 0.9)):
        one = est.estimate_with_info(x, y, L)
        assert (a.mi, a.lower, a.upper) == (b.mi, b.lower, b.upper) == pytest.approx((one.mi, one.lower, one.upper), abs=1e-9)
    cache['ends_at_median'] = True                       # the conformal step adds no width: only the widenings remain
    bare = est.estimate_levels(x, y, (0.9,), cache)[0]
    assert first[1].lower <= bare.lower <= bare.mi <= bare.upper <= first[1].upper


def test_one_column_a_side_converges_beyond_the_trained_n(est):
    "One continuous column a side: from n = 200, where KSG at k = 1, 2, 4 agrees, the estimate weighs KSG-2 on the normal scores against the network by precision, so it converges where the network's own reading keeps its bias (1.012 for a truth of 0.876 at n = 40,000), and the interval shrinks with n."
    from mist_nb.sampling import functional_mi, equal_mass_normal
    truth = functional_mi(np.tanh(3 * equal_mass_normal(2 ** 20)), 'gauss', 0.3)
    rng = np.random.default_rng(21)
    x = rng.normal(size=(40_000, 1)); y = np.tanh(3 * x) + 0.3 * rng.normal(size=(40_000, 1))
    rs = [est.estimate_with_info(x[:n], y[:n]) for n in (2000, 40_000)]
    raw = est._combine(est._outputs(*est._validated(x, y)[3:5]), 0.9)[0]
    assert all(any('KSG on the normal scores' in m for m in r.notes) for r in rs)
    assert abs(rs[1].mi - truth) < 0.03 < abs(raw - truth), (truth, raw, rs)         # measured 0.873 vs 0.876
    assert all(r.lower <= truth <= r.upper and r.lower <= r.mi <= r.upper for r in rs), rs
    assert rs[1].upper - rs[1].lower < 0.5 * (rs[0].upper - rs[0].lower)             # 0.144 -> 0.050 nats
    assert est.estimate(x, y) == pytest.approx(rs[1].mi, abs=1e-9) and est.estimate_batch([(x, y)])[0] == pytest.approx(rs[1].mi, abs=1e-6)


def test_the_two_column_consensus_keeps_the_symmetries(est):
    "Two columns against one at n = 1,500: the consensus step reads them (a note) and the estimate is unchanged by reordering X's columns, swapping X and Y, flipping signs, monotone maps and a large offset, with the point inside its interval."
    g = np.random.default_rng(8)
    x = g.normal(size=(1500, 2)); y = np.tanh(3 * x[:, :1]) + np.sin(x[:, 1:]) + 0.3 * g.normal(size=(1500, 1))
    r = est.estimate_with_info(x, y)
    assert any('2 + 1 continuous columns' in m for m in r.notes), r.notes
    assert r.lower <= r.mi <= r.upper
    for xx, yy in [(x[:, ::-1], y), (y, x), (-x, y), (np.exp(x), 1e-3 * y + 1e6)]:
        assert est.estimate_with_info(xx, yy).mi == pytest.approx(r.mi, abs=1e-5)


@pytest.mark.parametrize('case', ['high MI', 'ties', 'below 200 rows', 'three columns', 'series'])
def test_the_ksg_consensus_keeps_out_where_ksg_is_not_sharp(est, case):
    "Where KSG's readings at k = 1, 2, 4 part (5.8 nats), a side has ties, n < 200, a side has three columns, or the rows form a series, the network's estimate stands."
    g = np.random.default_rng(3)
    x = g.normal(size=(3000, 1)); e = g.normal(size=(3000, 1))
    x, y = {'high MI': (x, x + 0.003 * e), 'ties': (x, np.round(x + e, 1)), 'below 200 rows': (x[:150], np.tanh(3 * x[:150]) + 0.3 * e[:150]),
            'three columns': (np.c_[x, g.normal(size=(3000, 2))], np.tanh(3 * x) + 0.3 * e),
            'series': (np.cumsum(x, 0), np.cumsum(e, 0))}[case]
    r = est.estimate_with_info(x, y)
    assert not any('KSG on the normal scores' in m for m in r.notes), r.notes


def test_a_linear_gaussian_regression_keeps_its_truth_above_the_lower_end(est):
    "Y = (X1 + X2) / sqrt 2 + E / 2 at n = 200 (0.805 nats), which the network reads up to 0.5 nats high: one twin let its lower end stand above the truth in 3 of 6 seeds; eight twins must cap it (`TWINS`, `TWIN_MISSES`)."
    truth, lows = 0.5 * math.log(5), []
    for seed in range(6):
        g = np.random.default_rng(100 + seed)
        x = g.normal(size=(200, 2)); y = x.sum(1, keepdims=True) / math.sqrt(2) + 0.5 * g.normal(size=(200, 1))
        r = est.estimate_with_info(x, y, 0.9)
        assert r.lower <= r.mi <= r.upper
        lows.append(r.lower)
    assert sum(lo <= truth for lo in lows) >= 5


def _nesting_pairs(count: int = 36):
    "Gaussian and Student-t samples (1-3 columns a side, random correlations, n = 50-300), where the Gaussian-twin check decides the lower end."
    g, pairs = np.random.default_rng(77), []
    for i in range(count):
        d, n = int(g.integers(1, 4)), int(g.choice([50, 100, 200, 300]))
        a = g.normal(size=(2 * d, 2 * d)); z = g.normal(size=(n, 2 * d)) @ (a @ a.T / (2 * d) + np.eye(2 * d) * g.uniform(0.05, 1))
        if i % 3 == 2: z /= np.sqrt(g.chisquare(3, size=(n, 1)) / 3)                      # Student-t with 3 degrees of freedom
        pairs.append((z[:, :d], z[:, d:]))
    return pairs


def test_intervals_nest_across_levels(est):
    "A higher level never gives a shorter interval: each end of the 50/80/90/95% intervals moves outwards (the twin's word is taken once, at TWIN_LEVEL, for every level)."
    bad = []
    for i, (x, y) in enumerate(_nesting_pairs()):
        rs = est.estimate_levels(x, y, [0.5, 0.8, 0.9, 0.95])
        assert len({r.mi for r in rs}) == 1                                            # one estimate whatever the level
        bad += [(i, a.level, (a.lower, a.upper), (b.lower, b.upper)) for a, b in zip(rs, rs[1:])
                if b.lower > a.lower + 1e-9 or b.upper < a.upper - 1e-9]
    assert not bad, bad[:5]


def test_eight_twins_take_the_bias_off_plain_gaussian_pairs():
    "Three plain pairs (0.432 nats) at n = 1,000 read 0.10 nats high over ten seeds with one twin and fixed tolerances (CCA +0.01); eight twins, with tolerances from their own spread, bring the mean level with CCA (the Gaussian MLE) on the same samples."
    from mist_nb import estimate_mi
    from mist_nb.baselines import CCA
    errs, fired = [], 0
    for s in range(6):
        g = np.random.default_rng(2000 + s)
        a = g.normal(size=(1000, 3)); b = 0.5 * a + math.sqrt(0.75) * g.normal(size=(1000, 3))
        r = estimate_mi(a, b)
        errs.append(r.mi - CCA().estimate(a, b)); fired += any('seeded Gaussian samples with the same' in m for m in r.notes)
        assert r.lower <= r.mi <= r.upper
    assert fired >= 4 and abs(np.mean(errs)) < 0.03, (errs, fired)
