#!/usr/bin/env python3
"""Before shipping a retrained model: compare a training run's checkpoint with the shipped one on the benchmark's grids.

    OMP_NUM_THREADS=1 python scripts/compare_candidate.py mist-qr runs/device/mist-qr
    OMP_NUM_THREADS=1 python scripts/compare_candidate.py mist runs/device/mist --grids heldout bmi highmi
    OMP_NUM_THREADS=1 python scripts/compare_candidate.py mist-qr runs/broad/mist-qr-c38-step16018 runs/broad/mist-qr-c38
    OMP_NUM_THREADS=1 python scripts/compare_candidate.py mist-qr runs/broad/mist-qr-k49 --fresh --grids broad highmi bmi mixtures heldout

The shipped model and every candidate (one or more run folders, each named by its folder) run through
`mist_nb.evaluate.run_sweep` on the same cells of each grid of `mist_nb.report.benchmark_plan()` (default: every grid
up to n = 2,000, and the held-out smooth shapes up to 10,000: imd, oomd, bmi, heldout, fine, smooth, highmi, broad, labels,
mixed-columns, outputs, mixtures, copulas, features, regressions, gaussians; the full-size grids, up to two minutes each on two workers), and the script prints MAE by n range, and for a quantile model the 90% coverage,
side by side. With --fresh every grid is drawn afresh (its seed plus 1,000: other tasks of the random families and other
samples), which matters once a shipped checkpoint was itself *chosen* on the stored grids: there it has a selection
advantage that fresh draws do not give it (chapter 03 measured one). The
candidates borrow the shipped model's card and calibration file, so their coverage is indicative only: a shipped
quantile model is recalibrated (`scripts/calibrate.py`) after `scripts/train_broad.py ship`. With --out, each grid's
Dataset is saved there as netCDF (`mist_nb.evaluate.save_results`; read back with `load_results`).
"""
import argparse, dataclasses, os, time
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')

from mist_nb.estimate import MIST  # noqa: E402
from mist_nb.evaluate import run_sweep, accuracy, coverage, save_results  # noqa: E402
from mist_nb.model import MISTNet, config_from_dict  # noqa: E402
from mist_nb.report import benchmark_plan  # noqa: E402
from mist_nb.train import load_checkpoint  # noqa: E402

FRESH_OFFSET = 1000   # --fresh: every grid's seed moves by this much
GRIDS = ('imd', 'oomd', 'bmi', 'heldout', 'fine', 'smooth', 'highmi', 'broad', 'labels', 'mixed-columns', 'outputs', 'mixtures', 'copulas', 'features', 'regressions', 'gaussians')


def candidate(run_dir: Path, shipped: MIST) -> MIST:
    "The network in `run_dir`/checkpoint.pt, wrapped with the shipped model's card and calibration."
    ck = load_checkpoint(run_dir / 'checkpoint.pt')
    if config_from_dict(ck['model_config']).quantile != shipped.is_quantile:
        raise SystemExit(f"{run_dir} holds a {'point' if shipped.is_quantile else 'quantile'} model, and {shipped.name} does not")
    net = MISTNet(config_from_dict(ck['model_config'])); net.load_state_dict(ck['model'])
    return MIST(net, f"{shipped.name} ({run_dir})", shipped.card, shipped.calibration)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('name', choices=('mist-qr', 'mist'))
    p.add_argument('run_dirs', type=Path, nargs='+', help='run folders holding a checkpoint.pt')
    p.add_argument('--grids', nargs='+', default=list(GRIDS), choices=list(GRIDS))
    p.add_argument('--n-jobs', type=int, default=2)
    p.add_argument('--out', type=Path, help='save each grid\'s Dataset here as <grid>.nc')
    p.add_argument('--fresh', action='store_true', help='draw every grid afresh (grid seed + 1000): no selection advantage for a checkpoint chosen on the stored grids')
    a = p.parse_args()
    shipped = MIST.load(a.name)
    names = [d.name for d in a.run_dirs]
    if 'shipped' in names or len(set(names)) < len(names): raise SystemExit('candidate folders need distinct names other than "shipped"')
    ests = {'shipped': shipped, **{d.name: candidate(d, shipped) for d in a.run_dirs}}
    plan = benchmark_plan()
    w = max(map(len, ests))
    if a.out: a.out.mkdir(parents=True, exist_ok=True)
    for g in a.grids:
        t = time.time()
        grid = dataclasses.replace(plan[g][0], seed=plan[g][0].seed + FRESH_OFFSET) if a.fresh else plan[g][0]
        ds = run_sweep(ests, grid, n_jobs=a.n_jobs, levels=(0.9,), taus=(), progress=False)
        if a.out: save_results(ds, a.out / f'{g}.nc')  # mist_nb.evaluate.load_results reads it back
        acc = accuracy(ds)
        cov = coverage(ds, by=('n_range',)) if shipped.is_quantile else None
        ranges = [str(r) for r in acc.n_range.values]
        print(f"{g}{' (fresh draws)' if a.fresh else ''} ({time.time() - t:.0f} s), n ranges {' / '.join(ranges)}")
        for e in ests:
            mae = ' / '.join(f"{float(acc.mae.sel(estimator=e, n_range=r)):.3f}" for r in acc.n_range.values)
            c = '' if cov is None else '   90% coverage ' + ' / '.join(f"{float(cov.interval.sel(estimator=e, n_range=r, level=0.9)):.2f}"
                                                                     for r in cov.n_range.values)
            print(f"  {e:{w}s} MAE {mae}{c}", flush=True)


if __name__ == '__main__':
    main()
