"Cross-cutting checks of mist_nb.sampling: ground truth, bmi agreement, reproducibility, bad input."
import json, math, sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats

from mist_nb.sampling import (MetaDistribution, Task, get_task, list_tasks, training_spec, paper_training_spec, heldout_spec, broad_regression_spec,
                              HELDOUT_CHANNELS, CALIBRATION_CHANNELS, calibration_spec, get_family, imd_spec, oomd_spec,
                              gaussian_mi, student_t_correction,
                              IMD_FAMILIES, OOMD_FAMILIES, N_GRID)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))
import bmi_crosscheck  # noqa: E402

BMI_REF = json.loads((ROOT / 'data' / 'grids' / 'bmi_v1_reference.json').read_text())


def test_catalogue_lists_bmi_v1_ids():
    assert list_tasks() == list(BMI_REF['tasks'])
    assert len(list_tasks()) == 40


@pytest.mark.parametrize('tid', list(BMI_REF['tasks']))
def test_task_matches_bmi(tid):
    "Ground truth to 1e-4 nats and sample summaries within sampling error of bmi's own samples."
    ref = BMI_REF['tasks'][tid]
    c = bmi_crosscheck.compare_task(tid, ref, BMI_REF['n_points'])
    assert c['dims_ok']
    assert c['mi_err'] < 1e-4
    assert c['quantile_z'] < 5 and c['spearman_z'] < 5, c


def test_crosscheck_detects_a_wrong_distribution():
    "The bmi comparison can fail: a task with the wrong correlation is caught."
    ref = BMI_REF['tasks']['multinormal-sparse-3-3-2-2.0']
    c = bmi_crosscheck.compare_task('multinormal-sparse-3-3-2-1.5', ref, BMI_REF['n_points'])
    assert c['spearman_z'] > 5 and c['mi_err'] > 0.1


def _t_logpdf(z, shape, dof):
    return stats.multivariate_t(loc=np.zeros(len(shape)), shape=shape, df=dof).logpdf(z)


@pytest.mark.parametrize('tid', ['student-identity-2-2-1', 'student-dense-2-3-4-0.4', 'student-sparse-3-2-2.5-2-1.5'])
def test_student_t_mi_by_monte_carlo(tid):
    "Closed-form Student-t MI vs a Monte-Carlo average of log p(x,y) - log p(x) - log p(y)."
    t = get_task(tid)
    x, y = t.sample(200_000, seed=3)
    shape = t.family.covariance(t.params, torch.tensor([t.dim_x]), torch.tensor([t.dim_y]), t.dim_x, t.dim_y)[0].numpy()
    dof = float(t.params['dof'])
    dx = t.dim_x
    pmi = (_t_logpdf(np.concatenate([x, y], 1), shape, dof) - _t_logpdf(x, shape[:dx, :dx], dof)
           - _t_logpdf(y, shape[dx:, dx:], dof))
    se = pmi.std() / math.sqrt(len(pmi))
    assert abs(pmi.mean() - t.mutual_information) < 5 * se + 1e-3


def test_additive_noise_mi_by_monte_carlo():
    "Additive uniform noise: E[log p(y|x) - log p(y)] with the trapezoidal density of y, several dims."
    t = Task('additive-noise', 3, 3, dict(epsilon=[0.2, 0.6, 1.5]))
    x, y = t.sample(200_000, seed=0)
    eps = np.array([0.2, 0.6, 1.5])
    py = (np.clip(y + eps, 0, 1) - np.clip(y - eps, 0, 1)) / (2 * eps)
    pmi = (-np.log(2 * eps) - np.log(py)).sum(1)
    assert abs(pmi.mean() - t.mutual_information) < 5 * pmi.std() / math.sqrt(len(pmi))


def test_gaussian_families_by_sample_covariance():
    md = MetaDistribution(['normal-lvm-base', 'normal-sparse-base', 'normal-dense-base'], dim_x=(1, 6), dim_y=(2, 5),
                          p_equal_dims=0.0)
    b = md.sample(12, seed=4, n=50_000)
    for i in range(len(b)):
        x, y = b.dataset(i)
        z = torch.from_numpy(np.concatenate([x, y], 1)).double()
        assert abs(gaussian_mi(torch.cov(z.T), x.shape[1]).item() - b.mi[i].item()) < 0.03


@pytest.mark.parametrize('chain', [('halfcube',), ('asinh',), ('wiggly',), ('normal_cdf',), ('bimodal',),
                                   ('spiral',), ('normal_cdf', 'spiral'), ('halfcube', 'asinh')])
def test_transforms_keep_the_label_and_invert(chain):
    base = Task('normal-sparse', 3, 4, dict(n_interacting=2, strength=1.5))
    t = Task('normal-sparse', 3, 4, dict(n_interacting=2, strength=1.5), transforms=chain)
    assert t.mutual_information == base.mutual_information
    xb, yb = base.sample(3000, seed=1)
    xt, yt = t.sample(3000, seed=1)
    # same underlying draws; the maps are injective, so distinct points stay distinct
    assert len(np.unique(xt, axis=0)) == len(np.unique(xb, axis=0))
    if all(c in ('halfcube', 'asinh', 'wiggly', 'normal_cdf', 'bimodal') for c in chain):
        # strictly increasing per coordinate: identical ranks
        assert (xt.argsort(0) == xb.argsort(0)).all() and (yt.argsort(0) == yb.argsort(0)).all()


def test_batches_reproducible_and_independent():
    md = training_spec()
    a, b = md.sample(128, seed=7, index=3), md.sample(128, seed=7, index=3)
    for k in ('x', 'y', 'mi', 'x_mask', 'y_mask', 'n', 'component'):
        assert torch.equal(getattr(a, k), getattr(b, k))
    md2 = MetaDistribution.from_dict(md.to_dict())
    assert md2.hash == md.hash and torch.equal(md2.sample(128, seed=7, index=3).x, a.x)
    fixed = replace(md, dim_x=(4, 4), dim_y=(4, 4), components=['normal-dense-base'])
    u, v = fixed.sample(256, seed=7, index=0, n=64), fixed.sample(256, seed=7, index=1, n=64)
    r = np.corrcoef(u.x.flatten().numpy(), v.x.flatten().numpy())[0, 1]
    assert abs(r) < 0.01
    assert abs(np.corrcoef(u.mi.numpy(), v.mi.numpy())[0, 1]) < 0.25
    assert not torch.equal(md.sample(128, seed=8, index=3).x, a.x)


def test_batch_layout_and_mixed_n():
    md = MetaDistribution(['normal-2pair-base', 'student-dense-wiggly', 'additive-noise-halfcube'], dim_x=(1, 5),
                          dim_y=(1, 3), p_equal_dims=0.5, n=(10, 60), n_per_dataset=True)
    b = md.sample(200, seed=0)
    assert b.row_mask.sum(1).tolist() == b.n.tolist()
    assert (b.x[~b.row_mask] == 0).all() and (b.y[~b.row_mask] == 0).all()
    assert torch.equal(b.x_mask.sum(1), b.dim_x) and torch.equal(b.y_mask.sum(1), b.dim_y)
    assert (b.mi >= 0).all()
    add = b.component == 2
    assert torch.equal(b.dim_x[add], b.dim_y[add])
    assert len(torch.unique(b.n)) > 5


def test_splits_follow_the_reference_recipe():
    assert set(imd_spec().component_names) == set(IMD_FAMILIES)
    assert set(oomd_spec().component_names) == set(OOMD_FAMILIES)
    paper = set(paper_training_spec().component_names)
    assert not paper & set(OOMD_FAMILIES) and set(IMD_FAMILIES) <= paper
    assert not any(c.startswith('additive-noise') for c in paper)


def test_heldout_families_never_train():
    train, held = training_spec(), heldout_spec()
    assert not {c.family for c in train.components} & set(HELDOUT_CHANNELS)
    assert {c.family for c in held.components} == set(HELDOUT_CHANNELS)
    assert not {c.family for c in paper_training_spec().components} & set(HELDOUT_CHANNELS)
    assert len(N_GRID) == 20 and N_GRID[0] == 10 and N_GRID[-1] == 500


def test_joint_mixtures_are_held_out_and_match_their_labels():
    "The joint Gaussian mixtures enter no training or calibration mix; a task round-trips; KSG agrees with a 1 x 1 label at large n."
    from mist_nb.sampling import mixtures_spec, joint_mixture_bank, MIXTURE_KINDS, JOINT_MIXTURE_DIMS, draw_tasks
    from mist_nb.baselines import KSG
    fams = {c.family for c in mixtures_spec().components}
    assert fams == {f"gmm-{k}" for k in MIXTURE_KINDS}
    for spec in (training_spec(), broad_regression_spec(), paper_training_spec(), calibration_spec(), heldout_spec()):
        assert not {c.family for c in spec.components} & fams
    bank = joint_mixture_bank()
    assert set(bank) == {(k, d) for k in MIXTURE_KINDS for d in JOINT_MIXTURE_DIMS}
    assert max(float(v['se'].max()) for v in bank.values()) < 0.01
    b = mixtures_spec().sample(6, seed=1, n=300, dim_x=3, dim_y=3)
    assert torch.isfinite(b.x).all() and (b.mi >= 0).all() and b.x.shape[-1] == 3 and b.y.shape[-1] == 3
    t = draw_tasks(mixtures_spec(), 2, seed=5)[0]
    assert Task.from_dict(t.to_dict()).mutual_information == t.mutual_information
    x1, y1 = t.sample(200, seed=3); x2, y2 = t.sample(200, seed=3)
    assert (x1 == x2).all() and (y1 == y2).all()
    md = MetaDistribution(['gmm-loc-base'], dim_x=(1, 1), dim_y=(1, 1), n=(20000, 20000))
    b = md.sample(1, seed=0)
    x, y = b.dataset(0)
    assert abs(KSG(k=5).estimate(x, y) - float(b.mi[0])) < 0.05
    with pytest.raises(ValueError, match='d in 1..8'):
        MetaDistribution(['gmm-both-base'], dim_x=(9, 9), dim_y=(9, 9)).sample(1, seed=0)


def test_training_clusters_are_their_own_bank_and_fold_into_eight_columns():
    "The training clusters come from their own bank (another recipe and seeds), enter only train-clusters, fold wider draws into 1..8 columns a side, and match their labels."
    from mist_nb.sampling import joint_mixture_bank, draw_tasks, get_spec, CLUSTER_SE, MIXTURE_KINDS
    from mist_nb.baselines import KSG
    held, train = joint_mixture_bank(), joint_mixture_bank('clusters')
    assert set(held) == set(train) and max(float(v['se'].max()) for v in train.values()) <= CLUSTER_SE
    assert not any(torch.equal(held[k]['mi'][:5], train[k]['mi'][:5]) for k in held)
    for name in ('train', 'train-regression', 'calibration', 'heldout', 'mixtures', 'paper-train'):
        assert not any(c.family.startswith('clusters-') for c in get_spec(name).components), name
    md = get_spec('train-clusters')
    assert {f"clusters-{k}" for k in MIXTURE_KINDS} <= {c.family for c in md.components}
    b = md.sample(512, seed=11, n=40)
    cl = torch.tensor([md.component_names[int(i)].startswith('clusters-') for i in b.component])
    assert cl.any() and int(b.dim_x[cl].max()) <= 8 and torch.equal(b.dim_x[cl], b.dim_y[cl]) and int(b.dim_x[~cl].max()) > 8
    with pytest.raises(ValueError, match='d in 1..8'):
        MetaDistribution(['clusters-both-base'], dim_x=(9, 9), dim_y=(9, 9)).sample(1, seed=0)
    b = MetaDistribution(['clusters-loc-base'], dim_x=(1, 1), dim_y=(1, 1), n=(20000, 20000)).sample(2, seed=0)
    for i in range(2):
        x, y = b.dataset(i)
        assert abs(KSG(k=5).estimate(x, y) - float(b.mi[i])) < 0.06
    t = draw_tasks(md, 3, seed=5)[0]
    assert Task.from_dict(t.to_dict()).mutual_information == t.mutual_information


def test_copulas_are_held_out_and_match_their_labels():
    "Clayton, Gumbel and Frank copulas enter no training or calibration mix; their tables fall with tau; KSG agrees with the label at large n."
    from mist_nb.sampling import copulas_spec, COPULA_CHANNELS, TRAIN_CHANNELS, channel_tables
    from mist_nb.baselines import KSG
    assert not set(COPULA_CHANNELS) & {*TRAIN_CHANNELS, *CALIBRATION_CHANNELS, *HELDOUT_CHANNELS}
    for spec in (training_spec(), broad_regression_spec(), paper_training_spec(), calibration_spec()):
        fams = {c.family for c in spec.components}
        assert not fams & set(COPULA_CHANNELS)
        assert not {k for f in fams for k in getattr(get_family(f), 'kinds', ())} & set(COPULA_CHANNELS)
    for k in COPULA_CHANNELS:
        assert (channel_tables()[k][1].diff() < 0).all()
        md = MetaDistribution([f'{k}-base'], dim_x=(1, 1), dim_y=(1, 1), n=(20000, 20000))
        b = md.sample(1, seed=2)
        x, y = b.dataset(0)
        assert abs(KSG(k=5).estimate(x, y) - float(b.mi[0])) < 0.05 + 0.05 * float(b.mi[0])
    t = copulas_spec().sample(4, seed=0, n=100, dim_x=4, dim_y=4)
    assert torch.isfinite(t.x).all() and torch.isfinite(t.y).all() and (t.mi > 0).all()


def test_calibration_channels_never_train_and_are_not_held_out():
    "The off-training part of the calibration mix is disjoint from training and from the held-out families."
    cal = calibration_spec()
    kinds = {k for c in cal.components for k in get_family(c.family).kinds}
    assert kinds == set(CALIBRATION_CHANNELS) and not kinds & set(HELDOUT_CHANNELS)
    for spec in (training_spec(), broad_regression_spec(), paper_training_spec()):
        fams = {c.family for c in spec.components}
        assert not fams & {*CALIBRATION_CHANNELS, 'offmix'}
        assert not {k for f in fams for k in getattr(get_family(f), 'kinds', ())} & {*CALIBRATION_CHANNELS, *HELDOUT_CHANNELS}
    b = cal.sample(64, seed=3)
    assert torch.isfinite(b.x).all() and torch.isfinite(b.y).all() and (b.mi > 0).all()


def test_regression_bank_labels_and_held_out_shapes():
    "The regression families: labels that a consistent estimator agrees with at large n, exact task round trips, and a bank with no saddle (the held-out product stays outside)."
    from mist_nb.sampling import regression_bank, REGRESSION_WIDTHS, RIDGE_KINDS, draw_tasks
    from mist_nb.baselines import KSG
    md = broad_regression_spec()
    assert not {c.family for c in md.components} & {*HELDOUT_CHANNELS, *CALIBRATION_CHANNELS, 'offmix'}
    for w in REGRESSION_WIDTHS:
        t = regression_bank()[w]
        quad = (t['kind'] == RIDGE_KINDS.index('bowl')) | (t['kind'] == RIDGE_KINDS.index('abs'))
        assert (t['a'][quad] >= 0).all() and t['se'].max() < 0.01
    from mist_nb.sampling import Component
    spec = MetaDistribution([Component.parse(c, 1.0, dict(mi=(0.05, 1.5))) for c in ('regression2-base', 'regression3-mix')],
                            dim_x=(3, 3), dim_y=(1, 1), p_equal_dims=0.0, n=(100, 100))
    for task in draw_tasks(spec, 4, seed=5):
        assert task.family.name.startswith('regression')
        truth = task.mutual_information
        assert abs(Task.from_dict(task.to_dict()).mutual_information - truth) < 1e-12
        x, y = task.sample(20_000, seed=1)
        assert abs(KSG(k=5).estimate(x, y) - truth) < 0.05 + 0.05 * truth, (task.to_dict(), truth)


def test_label_family_is_held_out_and_its_label_is_right():
    "The label families (labels in X, continuous Y) are in no training or calibration spec, and their exact MI matches consistent estimates."
    from mist_nb.sampling import labels_spec
    from mist_nb.estimate import mixed_knn_mi
    from mist_nb.evaluate import labels_grid
    from mist_nb.estimate import classifier_mi_bound, discrete_entropy
    for spec in (training_spec(), broad_regression_spec(), paper_training_spec(), calibration_spec()):
        assert not {'label', 'boundary-label'} & {c.family for c in spec.components}
    assert {c.family for c in labels_spec().components} == {'label', 'boundary-label'}
    g = labels_grid(ns=(20_000,), dims=(1, 2), seeds=(0, 1))
    for cell in g.cells():
        x, y = g.sample(cell)
        truth = g.task(cell[0], cell[2], cell[3]).mutual_information
        z = (y - y.mean(0)) / y.std(0)
        if cell[0] == 'label-base': assert set(np.unique(x)) == {-1.0, 1.0}
        else:                                                   # labels made from y: the cross-fitted bound stays below, H above
            b, se = classifier_mi_bound(x, z)
            assert b - 3 * se <= truth <= discrete_entropy(x)[0] + 0.01, (cell, truth, b)
        assert abs(mixed_knn_mi(x, z) - truth) < 0.02, (cell, truth)


def test_mixed_column_families_are_held_out_and_their_labels_are_right():
    "mixed-columns and mixed-both are in no training or calibration spec; a label beside a noise column carries exactly the step channel's MI."
    from mist_nb.sampling import mixed_columns_spec
    from mist_nb.estimate import mixed_knn_mi, is_discrete
    from mist_nb.evaluate import mixed_columns_grid
    for spec in (training_spec(), broad_regression_spec(), paper_training_spec(), calibration_spec()):
        assert not {'mixed-columns', 'mixed-both'} & {c.family for c in spec.components}
    assert {c.family for c in mixed_columns_spec().components} == {'mixed-columns', 'mixed-both'}
    g = mixed_columns_grid(ns=(20_000,), dims=(2,), seeds=(0, 1))
    for cell in g.cells():
        x, y = g.sample(cell)
        truth = g.task(cell[0], cell[2], cell[3]).mutual_information
        assert is_discrete(x).tolist() == [True, False] and not is_discrete(y).any()
        assert abs(mixed_knn_mi(x[:, 0], (y - y.mean(0)) / y.std(0)) - truth) < 0.02, (cell, truth)   # x[:, 1] is independent noise
    x, y = mixed_columns_grid(ns=(500,), dims=(4,), seeds=(0,)).sample(('mixed-both-base', 500, 4, 0))
    assert is_discrete(x).any() and is_discrete(y).any() and not is_discrete(x).all() and not is_discrete(y).all()


def test_benchmark_grids_regenerate_their_tasks():
    "A grid is code plus seeds: the same cell gives the same task and sample, and task JSON round-trips exactly."
    from mist_nb.evaluate import imd_grid, heldout_grid
    for g in (imd_grid(ns=(50,), dims=(3,), seeds=(0, 1)), heldout_grid(ns=(50,), dims=(2,), seeds=(0,))):
        for cell in g.cells():
            t = g.task(cell[0], cell[2], cell[3])
            assert abs(Task.from_dict(t.to_dict()).mutual_information - t.mutual_information) < 1e-12
            x1, _ = g.sample(cell); x2, _ = g.sample(cell)
            assert np.array_equal(x1, x2)


def test_channel_tables_match_fresh_quadrature_and_monte_carlo():
    from mist_nb.sampling import CHANNELS, FINE_CHANNELS, channel_mi, channel_tables, get_channel, _draw_channel, make_generator
    from mist_nb.baselines import KSG
    tabs = channel_tables()
    for name in ('parabola', 'hetero-exp', 'circle'):
        lt, mi = tabs[name]
        tau = float(np.exp(lt[40]))
        assert abs(channel_mi(name, torch.tensor([tau])).item() - get_channel(name).quadrature_mi(tau)) < 1e-6
    g = make_generator(0, 'channel-check')
    for name in [k for k in CHANNELS if get_channel(k).width == 1]:
        theta = torch.tensor([float(np.exp(tabs[name][0][60]))] if name not in ('gauss', 'uniform', 'mixture') else [0.3 if name != 'mixture' else 500.0],
                             dtype=torch.float64)
        x, y = _draw_channel(name, theta, 6000, g, 'cpu')
        k = 1 if name in FINE_CHANNELS else 5   # KSG-5 averages over more than a half-period of sin(16 x) (1.25 nats for 1.74); KSG-1 does not
        est = KSG(k=k).estimate(x[0].double().numpy(), y[0].double().numpy()[:, None])
        truth = float(channel_mi(name, theta))
        assert abs(est - truth) < 0.08 + 0.1 * truth, (name, est, truth)   # KSG at n=6000: close, slightly low at high MI


def test_large_n_and_wide_dims():
    t = Task('normal-dense', 32, 1, dict(off_diag=0.3))
    x, y = t.sample(100_000, seed=0)
    assert x.shape == (100_000, 32) and y.shape == (100_000, 1) and np.isfinite(x).all()
    x, y = get_task('multinormal-dense-2-2-0.5').sample(2, seed=0)
    assert x.shape == (2, 2)


@pytest.mark.parametrize('make, msg', [
    (lambda: Task('normal-dense', 0, 3, dict(off_diag=0.2)), 'dim_x must be at least 1'),
    (lambda: Task('normal-dense', 3, -1, dict(off_diag=0.2)), 'dim_y must be at least 1'),
    (lambda: get_task('1v1-normal-0.75').sample(1, seed=0), 'n must be an integer >= 2'),
    (lambda: get_task('student-identity-2-2-0'), 'dof must be positive'),
    (lambda: get_task('student-identity-2-2--1'), 'dof must be positive'),
    (lambda: Task('normal-dense', 4, 4, dict(off_diag=-0.5)), 'not positive definite'),
    (lambda: gaussian_mi([[1.0, 0.0], [1.0, 1.0]], 1), 'not symmetric'),
    (lambda: get_task('no-such-task'), 'unknown task id'),
    (lambda: get_task('1v1-additive-0'), 'epsilon must be positive'),
    (lambda: MetaDistribution(['normal-dense-base'], dim_x=(0, 3)), 'dim_x range'),
    (lambda: MetaDistribution(['normal-dense-base'], n=(1, 3)), 'n range'),
    (lambda: MetaDistribution(['normal-dense-sideways']), 'unknown transform'),
    (lambda: MetaDistribution(['gamma-dense-base']), 'cannot parse component'),
    (lambda: MetaDistribution(['student-dense-base'], components=None) if False else
     MetaDistribution([dict(family='student-dense', ranges=dict(dof=(-1, 2)))]).sample(4), 'dof must be positive'),
    (lambda: Task('additive-noise', 2, 3, dict(epsilon=[0.5, 0.5])), 'needs dim_x == dim_y'),
])
def test_bad_parameters_name_the_problem(make, msg):
    with pytest.raises(ValueError, match=msg): make()


def test_student_correction_vanishes_for_large_dof():
    assert student_t_correction(1e4, 5, 5).item() < 1e-5
    assert student_t_correction(1.0, 5, 5).item() > student_t_correction(5.0, 5, 5).item() > 0


def test_output_channels_are_held_out_and_look_like_table_columns():
    "Counts, censored, ordinal and rounded outputs: in no training or calibration spec, and each Y has the shape its name promises."
    from mist_nb.sampling import OUTPUT_CHANNELS, outputs_spec, _draw_channel, make_generator, channel_mi
    for spec in (training_spec(), broad_regression_spec(), paper_training_spec(), calibration_spec()):
        fams = {c.family for c in spec.components}
        assert not (fams | {k for f in fams for k in getattr(get_family(f), 'kinds', ())}) & {*OUTPUT_CHANNELS, 'outputs'}
    out = outputs_spec()
    assert {k for c in out.components for k in get_family(c.family).kinds} == set(OUTPUT_CHANNELS)
    b = out.sample(64, seed=3)
    assert torch.isfinite(b.x).all() and torch.isfinite(b.y).all() and (b.mi > 0).all()
    g = make_generator(0, 'output-check')
    ys = {k: _draw_channel(k, torch.tensor([2.0 if k == 'count' else 0.5], dtype=torch.float64), 4000, g, 'cpu')[1][0].numpy() for k in OUTPUT_CHANNELS}
    assert (ys['count'] >= 0).all() and (ys['count'] == np.round(ys['count'])).all()
    assert abs((ys['censored'] == 0).mean() - 0.5) < 0.05 and (ys['censored'] >= 0).all()
    assert set(np.unique(ys['ordinal'])) == {0, 1, 2, 3, 4} and np.abs(np.bincount(ys['ordinal'].astype(int)) / 4000 - 0.2).max() < 0.03
    assert (ys['rounded'] == np.round(ys['rounded'])).all() and 10 < len(np.unique(ys['rounded'])) < 40
    assert math.log(5) - 0.03 < float(channel_mi('ordinal', torch.tensor([1e-2]))) < math.log(5)   # a nearly noiseless 5-point scale: just under log 5
