"MI does not change under duplicated, collinear or mixed columns within a side, nor under offsets and scales: neither may the estimate."
import numpy as np
import pytest

from mist_nb import MIST

TOL = 0.05  # nats: the bound on how far such a change may move the estimate


@pytest.fixture(scope='module')
def est(): return MIST.load('mist-qr')


def _variants(x: np.ndarray, rng: np.random.Generator) -> dict:
    "MI-preserving variants of one side: a duplicated column, an exact linear combination, a near-collinear column, a mixing."
    w = rng.normal(size=x.shape[1])
    comb = x @ w
    A = np.linalg.qr(rng.normal(size=(x.shape[1], x.shape[1])))[0] * np.exp(rng.uniform(np.log(0.3), 0, x.shape[1]))
    return {'duplicate': np.c_[x, x[:, :1]], 'combination': np.c_[x, comb],
            'near-collinear': np.c_[x, comb + 1e-3 * comb.std() * rng.normal(size=len(x))],
            'mixed': x @ A, 'monotone copy': np.c_[x, np.exp(x[:, :1])]}


def _synthetic(seed: int = 0, n: int = 1000):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1.0]])
    y = np.c_[x[:, 0] ** 2 + 0.5 * rng.normal(size=n), x[:, 1] + x[:, 2] + rng.normal(size=n)]
    return x, y


def _tables():
    "Real tables bundled with scikit-learn: (name, X, Y)."
    from sklearn.datasets import load_diabetes, load_breast_cancer
    d = load_diabetes(as_frame=True).frame
    b = load_breast_cancer(as_frame=True).frame
    return [('diabetes: (bmi, bp, s5) vs target', d[['bmi', 'bp', 's5']].to_numpy(), d[['target']].to_numpy()),
            ('breast cancer: mean radius, texture, smoothness vs worst radius, texture',
             b[['mean radius', 'mean texture', 'mean smoothness']].to_numpy(), b[['worst radius', 'worst texture']].to_numpy())]


CASES = {'synthetic': _synthetic, **{name: (lambda x=x, y=y: (x, y)) for name, x, y in _tables()}}
VARIANTS = ('duplicate', 'combination', 'near-collinear', 'mixed', 'monotone copy')
# Measured misses of the 0.05-nat target by the shipped mist-qr (tools: python scripts/robustness.py for the wide
# measurement). strict: when a retrained model meets the target the mark must go, so the list cannot go stale.
MISSES = {  # measured with the shipped mist-qr (47.0 k steps; 2.597 -> 2.288 with the 31.0 k-step model): an invertible mixing
            # of X is not learned away when the side's column spreads differ 300-fold (mean smoothness beside radius and
            # texture); see robustness_table's split
    ('breast cancer: mean radius, texture, smoothness vs worst radius, texture', 'x', 'mixed'): '2.607 -> 2.338 nats',
}


def _params():
    for case in CASES:
        for side in 'xy':
            for v in VARIANTS:
                marks = [pytest.mark.xfail(strict=True, reason=f"issue 9 target missed: {MISSES[case, side, v]}")] if (case, side, v) in MISSES else []
                yield pytest.param(case, side, v, marks=marks, id=f"{case[:24]}-{side}-{v}")


@pytest.fixture(scope='module')
def refs(est):
    "Each case's estimate and its variants' (seeded), computed once."
    out = {}
    for i, (case, make) in enumerate(CASES.items()):
        x, y = make()
        ref = est.estimate_with_info(x, y).mi
        for side in 'xy':
            vs = _variants(x if side == 'x' else y, np.random.default_rng(10 * i + (side == 'y')))
            for name, v in vs.items():
                got = est.estimate_with_info(v, y).mi if side == 'x' else est.estimate_with_info(x, v).mi
                out[case, side, name] = (ref, got)
    return out


@pytest.mark.parametrize('case, side, variant', list(_params()))
def test_geometry_does_not_move_the_estimate(refs, case, side, variant):
    ref, got = refs[case, side, variant]
    assert abs(got - ref) < TOL, f"{case}: {variant} of {side} moved the estimate {ref:.3f} -> {got:.3f} nats"


def test_exact_duplicates_change_nothing_at_all(est):
    x, y = _synthetic(3, 400)
    r = est.estimate_with_info(x, y)
    c = est.estimate_with_info(np.c_[x, x[:, 1], np.exp(x[:, 2]), 3 * x[:, 0] + 1], np.c_[y, -y[:, :1]])
    assert c.mi == pytest.approx(r.mi, abs=1e-5)
    assert (c.lower, c.upper) == pytest.approx((r.lower, r.upper), abs=1e-5)   # the interval's bucket counts distinct columns


def test_ties_from_rounding_are_broken_reproducibly(est):
    x, y = _synthetic(4, 600)
    xr_, yr = np.round(x, 1), np.round(y, 1)
    a, b = est.estimate_with_info(xr_, yr), est.estimate_with_info(xr_, yr)
    assert a.mi == b.mi and any('broken at random' in m for m in a.notes)
    assert abs(a.mi - est.estimate_with_info(x, y).mi) < 0.15


def test_copied_rows_are_left_out(est):
    "Exact repeats of rows whose continuous values never repeat otherwise are copies: a bootstrap resample reads as its distinct rows."
    x, y = _synthetic(5, 400)
    r = est.estimate_with_info(x, y)
    s = est.estimate_with_info(np.r_[x, x[::3]], np.r_[y, y[::3]])               # a third of the records written twice
    assert (s.mi, s.lower, s.upper, s.n) == (r.mi, r.lower, r.upper, 400)        # the same rows in the same order: the same result
    assert any('134 of 534 rows repeat another row exactly' in m for m in s.notes)
    for seed in range(3):                                                         # 2 x 2 Gaussian, I = ln 2; before: 1.18-1.54, lower end above ln 2
        rng = np.random.default_rng(seed)
        g = rng.normal(size=(500, 2)); h = g + rng.normal(size=(500, 2))
        b = rng.integers(0, 500, 500)
        res = est.estimate_with_info(g[b], h[b])
        assert res.n == len(np.unique(b)) and res.lower <= np.log(2) <= res.upper and abs(res.mi - np.log(2)) < 0.2, (seed, res)


def test_atoms_and_discrete_repeats_are_kept(est):
    "Rows at an atom (zero-inflated columns) or of discrete columns repeat as genuine draws: none is left out."
    rng = np.random.default_rng(6)
    z = np.maximum(rng.multivariate_normal([0, 0], [[1, .8], [.8, 1]], 500), 0)
    assert est.estimate_with_info(z[:, :1], z[:, 1:]).n == 500
    d = rng.integers(0, 3, 500).astype(float)
    assert est.estimate_with_info(np.c_[d, rng.integers(0, 2, 500)], d + rng.integers(0, 2, 500)).n == 500


def _mixed_gaussian(seed: int, n: int = 500, d: int = 4, mi: float = 3.0):
    "d + d Gaussian columns with `mi` nats (d independent pairs), each side mixed by a standard-normal matrix (ill-conditioned)."
    g = np.random.default_rng(seed)
    r = np.sqrt(1 - np.exp(-2 * mi / d))
    a = g.normal(size=(n, d)); b = r * a + np.sqrt(1 - r * r) * g.normal(size=(n, d))
    return a @ g.normal(size=(d, d)), b @ g.normal(size=(d, d))


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_an_ill_conditioned_gaussian_mixing_is_whitened_not_blurred(est, seed):
    "Sides mixed by matrices with condition numbers 10-146 read 1.99-2.41 nats for 3 before they were whitened; now within 0.2."
    x, y = _mixed_gaussian(seed)
    r = est.estimate_with_info(x, y, level=0.9)
    assert any('whitened in float64' in m for m in r.notes), r.notes
    assert abs(r.mi - 3.0) < 0.2, r
    assert r.lower <= 3.0 <= r.upper


def test_whitening_leaves_unmixed_and_skewed_sides_alone(est):
    "The same data unmixed, or with skewed marginals, are read as before: no whitening note."
    g = np.random.default_rng(5)
    a = g.normal(size=(1000, 4)); b = 0.8 * a + 0.6 * g.normal(size=(1000, 4))
    for x, y in ((a, b), (np.exp(a @ g.normal(size=(4, 4)) / 3), b ** 3)):
        assert not any('whitened' in m for m in est.estimate_with_info(x, y, level=0.9).notes)


@pytest.mark.parametrize('n', [300, 1500])
def test_sign_flips_change_nothing_at_all(est, n):
    "Flipping the sign of any column gives bit-identical results, above the neighbour branch's 256 query rows too (zero correlation: nothing but the scores' symmetry fixes the signs)."
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 2))
    y = np.c_[np.sin(3 * x[:, 0]) + 0.3 * rng.normal(size=n), x[:, 1] ** 2 + rng.normal(size=n)]
    ref = est.estimate_with_info(x, y)
    for sx, sy in [((-1, 1), (1, 1)), ((1, -1), (-1, 1)), ((-1, -1), (-1, -1))]:
        r = est.estimate_with_info(x * np.array(sx), y * np.array(sy))
        assert (r.mi, r.lower, r.upper) == (ref.mi, ref.lower, ref.upper), (sx, sy)
