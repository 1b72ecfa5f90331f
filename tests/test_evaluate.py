"Checks of mist_nb.evaluate: sweep structure and provenance, n_jobs independence, resume after a kill, summaries, tables."
import json, os, signal, subprocess, sys, time
from dataclasses import dataclass

import numpy as np
import pytest
import xarray as xr

from mist_nb.baselines import KSG, CCA
from mist_nb.estimate import MIST, resolve_checkpoint
from mist_nb.evaluate import (Grid, imd_grid, run_sweep, results_dataset, provenance, save_results, load_results,
                              read_records, progress_dir, accuracy, coverage, speed, width, RidgeFallback,
                              INTERVAL_LEVELS, QUANTILE_TAUS, RANGE_LABELS)
from mist_nb.core import file_sha256
from mist_nb.sampling import IMD_FAMILIES

TINY = imd_grid(ns=(20, 150, 400), dims=(2, 3), seeds=(0, 1), families=IMD_FAMILIES[:2])


@pytest.fixture(scope='module')
def cheap():
    return {'MIST-QR': MIST.load('mist-qr'), 'MIST': MIST.load('mist'), 'KSG': KSG(k=5), 'CCA': RidgeFallback(CCA())}


@pytest.fixture(scope='module')
def sweeps(cheap):
    "The same tiny sweep in one process and in two loky workers (CCA on seed 0 only)."
    sub = {'CCA': dict(seeds=(0,))}
    return run_sweep(cheap, TINY, n_jobs=1, subgrids=sub), run_sweep(cheap, TINY, n_jobs=2, subgrids=sub)


def test_sweep_has_dims_variables_and_provenance(sweeps):
    ds, _ = sweeps
    assert dict(ds.estimate.sizes) == dict(estimator=4, family=2, n=3, dim=2, seed=2)
    assert set(ds.data_vars) == {'estimate', 'truth', 'lower', 'upper', 'quantiles', 'seconds'}
    assert ds.truth.dims == ('family', 'dim', 'seed') and ds.lower.dims[-1] == 'level' and ds.quantiles.dims[-1] == 'quantile'
    assert list(ds.level.values) == list(INTERVAL_LEVELS) and list(ds['quantile'].values) == list(QUANTILE_TAUS)
    assert list(ds.n_range.values) == ['10-100', '101-300', '301-500']
    # what each estimator gives, and NaN elsewhere
    assert ds.estimate.sel(estimator=['MIST-QR', 'MIST', 'KSG']).notnull().all()
    assert ds.estimate.sel(estimator='CCA', seed=0).notnull().all() and ds.estimate.sel(estimator='CCA', seed=1).isnull().all()
    assert ds.quantiles.sel(estimator='MIST-QR').notnull().all() and ds.quantiles.sel(estimator=['MIST', 'KSG', 'CCA']).isnull().all()
    assert ds.lower.sel(estimator='MIST-QR').notnull().all() and ds.lower.sel(estimator=['MIST', 'KSG']).isnull().all()
    assert (ds.lower <= ds.estimate).sel(estimator='MIST-QR').all() and (ds.seconds.sel(estimator='KSG') > 0).all()
    # the truth is each cell's task's MI
    assert float(ds.truth.sel(family=IMD_FAMILIES[1], dim=3, seed=1)) == TINY.task(IMD_FAMILIES[1], 3, 1).mutual_information
    # provenance
    a = ds.attrs
    assert a['units'] == 'nats' and a['git_revision'] and Grid.from_dict(json.loads(a['grid'])) == TINY
    ck = json.loads(a['checkpoints'])
    assert set(ck) == {'MIST-QR', 'MIST'}
    assert ck['MIST-QR']['sha256'] == file_sha256(resolve_checkpoint('mist-qr')) and ck['MIST']['sha256'] == file_sha256(resolve_checkpoint('mist'))
    assert json.loads(a['subgrids']) == {'CCA': dict(families=list(IMD_FAMILIES[:2]), ns=[20, 150, 400], dims=[2, 3], seeds=[0])}
    assert json.loads(a['estimators'])['KSG'] == repr(KSG(k=5))


def test_results_do_not_depend_on_n_jobs(sweeps):
    one, two = sweeps
    xr.testing.assert_identical(one.drop_vars('seconds').drop_attrs(), two.drop_vars('seconds').drop_attrs())


def test_save_and_load_round_trip(sweeps, tmp_path):
    ds, _ = sweeps
    p = save_results(ds, tmp_path / 'tiny.nc')
    xr.testing.assert_identical(load_results(p), ds)
    assert p.stat().st_size < 100_000


@dataclass
class Slow:
    "KSG with a pause, counting its calls on the class."
    delay: float = 0.1
    calls = 0

    def estimate(self, x, y):
        type(self).calls += 1
        time.sleep(self.delay)
        return KSG(k=5).estimate(x, y)


SLOW_KSG = '''
import sys, time
from dataclasses import dataclass
from mist_nb.baselines import KSG
from mist_nb.evaluate import Grid, run_sweep

@dataclass
class Slow:
    delay: float = 0.1
    def estimate(self, x, y):
        time.sleep(self.delay)
        return KSG(k=5).estimate(x, y)
'''  # a slow estimator for the subprocess sweeps below, so that a kill lands mid-sweep

KILLED_SWEEP = SLOW_KSG + '''
run_sweep({'KSG': Slow()}, Grid.from_dict(__import__('json').loads(sys.argv[1])), out=sys.argv[2], n_jobs=2)
'''


def test_a_killed_sweep_resumes_keeping_finished_cells(tmp_path):
    "SIGKILL a sweep running in two workers; the rerun computes only the missing cells and equals an uninterrupted sweep."
    grid = imd_grid(ns=(20, 60, 150), dims=(2, 3), seeds=(0, 1, 2, 3), families=IMD_FAMILIES[:1])
    out, folder = tmp_path / 'r.nc', progress_dir(tmp_path / 'r.nc')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.Popen([sys.executable, '-c', KILLED_SWEEP, grid.to_json(), str(out)], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None and len(read_records(folder) if folder.exists() else []) < 5:
            time.sleep(0.05)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stdout.read().decode()[-2000:]}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = len(read_records(folder))
    assert 5 <= finished < len(grid.cells()) and not out.exists()
    (folder / 'cut.jsonl').write_text('{"estimator": "KSG", "cell": ["normal-dense-base", 20')   # a line cut short by the kill
    Slow.calls = 0
    ds = run_sweep({'KSG': Slow()}, grid, out=out, n_jobs=1)
    assert Slow.calls == len(grid.cells()) - finished
    assert ds.attrs['cells_resumed'] == finished and out.exists() and not folder.exists()
    ref = run_sweep({'KSG': KSG(k=5)}, grid, n_jobs=1)
    xr.testing.assert_equal(ds.estimate, ref.estimate)


def test_resume_refuses_another_configuration(tmp_path):
    grid = imd_grid(ns=(20,), dims=(2,), seeds=(0,), families=IMD_FAMILIES[:1])
    out = tmp_path / 'r.nc'
    run_sweep({'KSG': KSG(k=5)}, grid, out=out, n_jobs=1, keep_progress=True)
    with pytest.raises(ValueError, match='configured as'): run_sweep({'KSG': KSG(k=3)}, grid, out=out, n_jobs=1)
    with pytest.raises(ValueError, match='another sweep'): run_sweep({'KSG': KSG(k=5)}, grid.subset(), out=out, n_jobs=1, levels=(0.9,))


def handmade():
    "Estimator a: +1 nat at n=50, exact elsewhere, interval always covering; b: -2 nats, no interval."
    g = imd_grid(ns=(50, 200, 400), dims=(2, 4), seeds=(0,), families=IMD_FAMILIES[:2])
    ds = results_dataset(g, ['a', 'b'])
    ds['truth'][:] = 2.0
    ds['estimate'].loc[dict(estimator='a')] = 2.0
    ds['estimate'].loc[dict(estimator='a', n=50)] = 3.0
    ds['estimate'].loc[dict(estimator='b')] = 0.0
    ds['lower'].loc[dict(estimator='a')], ds['upper'].loc[dict(estimator='a')] = 1.0, 3.5
    taus = np.array(QUANTILE_TAUS)
    ds['quantiles'].loc[dict(estimator='a')] = xr.DataArray(np.where(taus < 0.5, 2.5, 2.6), dims='quantile')  # never covers
    ds['seconds'][:] = 0.5
    ds['seconds'].loc[dict(estimator='b', n=400)] = 2.0
    ds.attrs.update(provenance({'a': KSG(), 'b': KSG(k=3)}, g, {'a': g, 'b': g}, INTERVAL_LEVELS, QUANTILE_TAUS))
    return ds


def test_summaries_on_a_handmade_dataset():
    ds = handmade()
    acc = accuracy(ds)
    assert list(acc.n_range.values) == list(RANGE_LABELS[:3])
    assert acc.mse.sel(estimator='a').values.tolist() == [1.0, 0.0, 0.0]
    assert acc.mae.sel(estimator='b').values.tolist() == [2.0, 2.0, 2.0]
    assert acc.bias.sel(estimator='b').values.tolist() == [-2.0, -2.0, -2.0]
    assert acc['count'].sel(estimator='a').values.tolist() == [4, 4, 4]
    assert float(accuracy(ds, by=()).mse.sel(estimator='a')) == pytest.approx(1 / 3)
    fam = accuracy(ds, by=('family', 'dim'))
    assert fam.mse.sel(estimator='b').shape == (2, 2) and (fam.mse.sel(estimator='b') == 4.0).all()
    cov = coverage(ds)
    assert cov.interval.sel(estimator='a').values.tolist() == [1.0] * 4 and cov.interval.sel(estimator='b').isnull().all()
    assert cov.quantiles.sel(estimator='a').values.tolist() == [0.0] * 4
    assert cov.level.values.tolist() == [0.5, 0.8, 0.9, 0.95]
    assert speed(ds).sel(estimator='b').values.tolist() == [0.5, 0.5, 2.0]
    assert width(ds).sel(estimator='a').values.tolist() == [2.5] * 4 and width(ds).sel(estimator='b').isnull().all()


def _row(md: str, label: str) -> list:
    "The cells after `label` in the first markdown table row holding it."
    cells = next(c for l in md.splitlines() if l.startswith('|') and label in (c := [v.strip() for v in l.strip('|').split('|')]))
    return cells[cells.index(label) + 1:]


def test_report_tables_come_from_the_file(tmp_path):
    from mist_nb.report import accuracy_table, coverage_table, speed_table, fmt, readme_results
    ds = handmade()
    save_results(ds, tmp_path / 'imd.nc')
    f = load_results(tmp_path / 'imd.nc')
    a = accuracy(f)
    md = accuracy_table(f, 'imd')
    for e in ('a', 'b'):
        want = [f"{fmt(a.mse.sel(estimator=e, n_range=r))} ({fmt(a.mae.sel(estimator=e, n_range=r))})" for r in a.n_range.values]
        assert _row(md, f'**{e}**') == want + [str(int(f.estimate.sel(estimator=e).notnull().sum()))]
    assert _row(md, 'MIST-QR (paper, M_test)')[:3] == ['3.1', '0.31', '0.12']
    assert _row(coverage_table({'imd': f}, 'a'), '10-100') == ['1 (2.5)'] * 4
    assert _row(speed_table(f, ref='a'), '**b**') == ['500.0 ms (1×)', '500.0 ms (1×)', '2000.0 ms (4×)']
    assert 'MSE in nats² (MAE in nats)' in readme_results(tmp_path)


DASK_SWEEP = SLOW_KSG + '''
from dask.distributed import Client, LocalCluster

if __name__ == '__main__':
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        run_sweep({'KSG': Slow(float(sys.argv[3]))}, Grid.from_dict(__import__('json').loads(sys.argv[1])), out=sys.argv[2],
                  n_jobs=2, backend='dask')
    print('done')
'''


def test_a_dask_sweep_on_a_local_cluster_resumes_after_a_kill(tmp_path):
    "The same sweep on a dask LocalCluster with two workers: killed, it keeps its cells; resumed, it equals a loky sweep."
    pytest.importorskip('dask.distributed')
    grid = imd_grid(ns=(20, 60, 150), dims=(2, 3), seeds=(0, 1, 2, 3), families=IMD_FAMILIES[:1])
    out, folder = tmp_path / 'd.nc', progress_dir(tmp_path / 'd.nc')
    script = tmp_path / 'sweep.py'; script.write_text(DASK_SWEEP)
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.Popen([sys.executable, str(script), grid.to_json(), str(out), '0.3'], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None and len(read_records(folder) if folder.exists() else []) < 4:
            time.sleep(0.1)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stdout.read().decode()[-2000:]}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = len(read_records(folder))
    assert 4 <= finished < len(grid.cells()) and not out.exists()
    r = subprocess.run([sys.executable, str(script), grid.to_json(), str(out), '0.3'], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and 'done' in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]
    ds = load_results(out)
    assert ds.attrs['cells_resumed'] == finished
    ref = run_sweep({'KSG': KSG(k=5)}, grid, n_jobs=1)
    xr.testing.assert_equal(ds.estimate, ref.estimate)


@dataclass
class _CountingKSG:
    "KSG that counts its calls on the class (its spec is always '_CountingKSG(k=5)')."
    k: int = 5
    calls = 0
    def estimate(self, x, y):
        type(self).calls += 1
        return KSG(k=self.k).estimate(x, y)


def test_benchmark_rerun_reuses_unchanged_estimators(tmp_path, monkeypatch):
    "`run_benchmark(rerun=[...])` recomputes only the named estimators and records that in the file."
    from mist_nb import report
    grid = imd_grid(ns=(30, 60), dims=(2,), seeds=(0, 1), families=IMD_FAMILIES[:1])
    monkeypatch.setattr(report, 'benchmark_plan', lambda quick=False: {'tiny': (grid, ('KSG', 'CCA'), {})})
    monkeypatch.setattr(report, 'benchmark_estimators', lambda: {'KSG': _CountingKSG(), 'CCA': RidgeFallback(CCA())})
    monkeypatch.setattr(report, 'readme_results', lambda out_dir: '')
    first = report.run_benchmark(tmp_path, n_jobs=1, figures=False, log=lambda m: None)['tiny']
    assert _CountingKSG.calls == len(grid.cells())
    _CountingKSG.calls = 0
    again = report.run_benchmark(tmp_path, n_jobs=1, figures=False, log=lambda m: None, rerun=['CCA'])['tiny']
    assert _CountingKSG.calls == 0                                     # KSG's cells came from the saved file
    saved = load_results(tmp_path / 'tiny.nc')
    xr.testing.assert_equal(saved.estimate, first.estimate)
    assert json.loads(saved.attrs['rerun'])['estimators'] == ['CCA'] and json.loads(again.attrs['rerun'])['reused'] == ['KSG']
    with pytest.raises(ValueError, match='unknown estimators'):
        report.run_benchmark(tmp_path, n_jobs=1, figures=False, log=lambda m: None, rerun=['KGS'])


def test_a_grid_with_one_outcome_column_keeps_the_other_grids_as_they_were():
    "features_grid: X of d columns and Y of one in every cell, one channel in X's first column, exact truths; dim_y = 0 (every other grid, and files written before the field) draws the same tasks as before."
    from mist_nb.evaluate import features_grid, heldout_grid, _meta_task
    from mist_nb.sampling import GRID_SEED, draw_tasks, SPECS, seed_int
    from dataclasses import replace
    g = features_grid(ns=(300,), dims=(1, 8), seeds=(0, 1))
    assert g.dim_y == 1 and Grid.from_dict(g.to_dict()) == g
    for fam in g.families:
        for d in g.dims:
            t = g.task(fam, d, 0)
            x, y = g.sample((fam, 300, d, 0))
            assert x.shape == (300, d) and y.shape == (300, 1) and t.mutual_information > 0.04
            if d > 1: assert max(abs(np.corrcoef(x[:, j], y[:, 0])[0, 1]) for j in range(1, d)) < 0.25   # the other features are noise
    old = heldout_grid(ns=(50,), dims=(2,), seeds=(0,))
    d = old.to_dict(); d.pop('dim_y')
    assert Grid.from_dict(d) == old
    base = SPECS['heldout']()
    fam = old.families[0]
    md = replace(base, dim_x=(2, 2), dim_y=(2, 2), components=[c for c in base.components if c.name == fam])
    assert old.task(fam, 2, 0).id == draw_tasks(md, 1, seed=seed_int(GRID_SEED, 'task', fam, 2, 0))[0].id == _meta_task('heldout', fam, 2, 0, GRID_SEED).id
    with pytest.raises(ValueError, match='dim_y'):
        Grid('bmi', ('1v1-normal-0.75',), (50,), (), (0,), dim_y=1)
