#!/usr/bin/env python3
"""Regenerate the benchmark: every result file, figure and table in data/results/.

    OMP_NUM_THREADS=1 python scripts/benchmark.py             # full benchmark (1-2 hours on 2 cores)
    OMP_NUM_THREADS=1 python scripts/benchmark.py --quick     # tiny version in data/results/quick/ (minutes)

Runs `mist_nb.report.benchmark_plan()`: the three shipped MIST models, KSG (k=5), CCA and the Gaussian copula
(a 1e-3 ridge when n <= dim_x + dim_y + 1) on every cell, and MINE, InfoNCE, NWJ and percentile-bootstrap KSG on
sub-grids, over the grids imd, oomd (the paper's families), bmi, heldout (our held-out families), fine (held-out
high-frequency sines), labels, mixed-columns, outputs (held-out counts, censored, ordinal and rounded Y), mixtures (held-out Gaussian mixtures on X and Y together), copulas (held-out Clayton, Gumbel and Frank copulas), features (one outcome against many features), highmi, regressions (linear-Gaussian, few predictors), gaussians (plain Gaussians with little MI at small n), broad, independence, largen (n up to 100,000) and speed. Then draws the figures (PNG) and writes tables.md,
all rendered from the netCDF files by mist_nb.report.

Resuming: a killed run keeps every finished cell in data/results/<grid>.progress/; rerun the same
command to continue. A finished <grid>.nc is kept (not recomputed) unless --force is given, so after
changing a model, rerun with --force (or delete the file), or name it: `--rerun MIST-QR MIST` recomputes only
those estimators' cells, reusing the saved cells of every other estimator whose spec (configuration and weights
digest) is unchanged (the speed sweep is always recomputed whole: timings compare only within one run); the file's
`rerun` attribute records it. Everything is in nats; each estimate runs on
one thread, in --n-jobs worker processes. See nbs/06_evaluation.ipynb and nbs/08_report.ipynb for the design.
"""
import argparse, os, sys, time

os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')

from mist_nb.report import run_benchmark, benchmark_plan  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split('\n\n', 1)[1])
    p.add_argument('--quick', action='store_true', help='a tiny version (1-2 minutes), written to data/results/quick/')
    p.add_argument('--out', default=None, help='output folder (default data/results, or data/results/quick with --quick)')
    p.add_argument('--n-jobs', type=int, default=2, help='worker processes (default 2)')
    p.add_argument('--only', nargs='+', choices=list(benchmark_plan(quick=True)), help='run only these sweeps (figures and tables use every file present)')
    p.add_argument('--force', action='store_true', help='recompute sweeps whose .nc file exists (discarding their progress)')
    p.add_argument('--rerun', nargs='+', metavar='ESTIMATOR', help="recompute only these estimators' cells in existing result files")
    p.add_argument('--no-figures', action='store_true', help='skip the figures')
    a = p.parse_args(argv)
    t = time.time()
    run_benchmark(a.out, quick=a.quick, n_jobs=a.n_jobs, only=a.only, force=a.force, figures=not a.no_figures, rerun=a.rerun,
                  log=lambda m: print(m, flush=True))
    print(f"done in {(time.time() - t) / 60:.1f} min", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
