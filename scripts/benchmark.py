#!/usr/bin/env python3
"""Regenerate the benchmark: every result file, figure and table in data/results/.

    OMP_NUM_THREADS=1 python scripts/benchmark.py             # full benchmark (30-60 min on 2 cores)
    OMP_NUM_THREADS=1 python scripts/benchmark.py --quick     # tiny version in data/results/quick/ (1-2 min)

Sweeps MIST-QR, MIST, KSG (k=5), CCA and GaussianCopula (a 1e-3 ridge when n <= dim_x + dim_y + 1),
MINE, InfoNCE and NWJ over

- imd.nc:  the 6 IMD families x the 20 sizes of N_GRID (10..500) x dims 2, 4, 8, 16, 32 x 5 seeds,
- oomd.nc: the 7 OoMD families on the same axes,
- bmi.nc:  bmi's 40 v1 tasks x n in {50, 100, 200, 500} x 5 seeds,

with the neural baselines (about 1 s per estimate) on a sub-grid: every other size, dims 2 and 8 and
seeds 0, 1, 2 on IMD/OoMD; seeds 0, 1 on bmi. Their other cells are NaN. Then writes the figures (PNG) and
tables.md (accuracy by the paper's n ranges beside its M_test MSE, coverage, speed, per-family and
per-task detail), all rendered from the netCDF files.

Resuming: a killed run keeps every finished cell in data/results/<grid>.progress/; rerun the same
command to continue. A finished <grid>.nc is kept (not recomputed) unless --force is given, so after
changing a model, rerun with --force (or delete the file). Everything is in nats; each estimate runs on
one thread, in --n-jobs worker processes. See nbs/06_evaluation.ipynb for the design.
"""
import argparse, os, sys, time

os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')

from mist_nb.evaluate import run_benchmark  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split('\n\n', 1)[1])
    p.add_argument('--quick', action='store_true', help='a tiny version (1-2 minutes), written to data/results/quick/')
    p.add_argument('--out', default=None, help='output folder (default data/results, or data/results/quick with --quick)')
    p.add_argument('--n-jobs', type=int, default=2, help='worker processes (default 2)')
    p.add_argument('--only', nargs='+', choices=('imd', 'oomd', 'bmi'), help='run only these sweeps (figures and tables use every file present)')
    p.add_argument('--force', action='store_true', help='recompute sweeps whose .nc file exists (discarding their progress)')
    p.add_argument('--no-figures', action='store_true', help='skip the figures')
    a = p.parse_args(argv)
    t = time.time()
    run_benchmark(a.out, quick=a.quick, n_jobs=a.n_jobs, only=a.only, force=a.force, figures=not a.no_figures,
                  log=lambda m: print(m, flush=True))
    print(f"done in {(time.time() - t) / 60:.1f} min", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
