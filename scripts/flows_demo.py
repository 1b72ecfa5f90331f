#!/usr/bin/env python3
"""Adapting MIST to real data with normalizing flows: a measured run on scikit-learn's breast-cancer data.

    python scripts/flows_demo.py                      # 10-minute fine-tuning budget; writes data/results/flows_demo.json
    python scripts/flows_demo.py --minutes 30         # a larger budget
    python scripts/flows_demo.py --minutes 0.5 --quick --results /tmp/flows_demo.json   # smoke run (~2 min on CPU)

Data. `sklearn.datasets.load_breast_cancer` ships with scikit-learn (no download): 569 tumours, 30 continuous
measurements of their cell nuclei, in ten groups of three summaries (mean, standard error, worst). X is the 'mean'
summary of five nuclear properties (radius, texture, smoothness, concavity, symmetry: one from each group of nearly
collinear features - radius/perimeter/area, concavity/concave points/compactness), Y the 'worst' summary of the same
five. Both are skewed and heavy-tailed, with strong non-Gaussian dependence among their own coordinates - where flows
should matter - and 569 rows sit at the top of MIST's trained range. We preferred it to `load_digits`, whose pixels
take 17 integer values (a continuous-MI estimator and a density flow are both the wrong tools for them) and which would
need a PCA to <= 32 columns per side, so the flows would model PCA scores rather than the data.

What is measured (MI in nats). `mist_nb.flows.adapt` fits a flow to X and one to Y, fine-tunes the shipped mist-qr on
the training mix pushed through them (exact MI labels), and recalibrates its intervals on adapted draws. Then:
- errors of the shipped and the adapted model on a held-out adapted grid (its own seed stream, never used for
  fine-tuning or calibration): MSE, MAE, bias, 90% interval coverage, overall and per n range;
- the same on the benchmark's IMD grid (`mist_nb.evaluate.imd_grid(seeds=(0,))`; --imd-every k keeps every k-th cell),
  to see what adaptation costs away from the user's shape;
- both models' estimates on the real pair itself, beside KSG (k=5): there is no ground truth there;
- the wall time of every stage, fine-tuning steps and datasets.
"""
import argparse, json, sys, time, warnings
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
FEATURES = ('radius', 'texture', 'smoothness', 'concavity', 'symmetry')


def breast_cancer_pair():
    "X = 'mean' summaries, Y = 'worst' summaries of FEATURES, as float64 arrays (569, 5), with the column names."
    from sklearn.datasets import load_breast_cancer
    bc = load_breast_cancer()
    names = list(bc.feature_names)
    xs, ys = [f'mean {f}' for f in FEATURES], [f'worst {f}' for f in FEATURES]
    return bc.data[:, [names.index(c) for c in xs]], bc.data[:, [names.index(c) for c in ys]], xs, ys


def imd_cells(every: int) -> list:
    "Every `every`-th cell of the benchmark's IMD grid (`mist_nb.evaluate.imd_grid`), in `grid_errors`'s format."
    from mist_nb.evaluate import imd_grid
    g = imd_grid(seeds=(0,))
    cells = []
    for cell in g.cells()[::every]:
        x, y = g.sample(cell)
        cells.append(dict(x=x, y=y, mi=g.task(cell[0], cell[2], cell[3]).mutual_information, n=cell[1]))
    return cells


def fmt(e: dict) -> str:
    o = e['overall']
    cov = f"  cover90 {o['cover']:.2f}" if 'cover' in o else ''
    return f"MSE {o['mse']:.4f}  MAE {o['mae']:.4f}  bias {o['bias']:+.4f}{cov}  (n={o['count']})"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--minutes', type=float, default=10.0, help='fine-tuning budget in minutes (default 10)')
    p.add_argument('--steps', type=int, help='exact number of fine-tuning steps instead of planning them from --minutes')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=str(ROOT / 'runs' / 'flows-demo'), help='run folder (adapted model, flows, report)')
    p.add_argument('--results', default=str(ROOT / 'data' / 'results' / 'flows_demo.json'))
    p.add_argument('--heldout-per-n', type=int, default=64, help='held-out adapted datasets per sample size')
    p.add_argument('--n-grid', default='30,100,200,300,500', help='sample sizes of the held-out adapted grid')
    p.add_argument('--imd-every', type=int, default=1, help='use every k-th cell of the IMD grid (default all)')
    p.add_argument('--batch', type=int, default=64, help='datasets per fine-tuning step')
    p.add_argument('--device', help="training device (default: the GPU if any, else 'cpu')")
    p.add_argument('--quick', action='store_true', help='small flows and grids: a smoke run, not a measurement')
    a = p.parse_args(argv)

    import torch
    from mist_nb.estimate import MIST
    from mist_nb.flows import adapt, grid_errors, FlowConfig
    from mist_nb.baselines import KSG
    from mist_nb.core import hardware, git_revision, atomic_write_text

    t0 = time.perf_counter()
    x, y, xs, ys = breast_cancer_pair()
    n_grid = tuple(int(v) for v in a.n_grid.split(','))
    flow_config, per_n, imd_every, calibrate = FlowConfig(), a.heldout_per_n, a.imd_every, 256
    if a.quick:
        flow_config = FlowConfig(transforms=2, hidden=(32, 32), max_epochs=60, patience=10, lr=3e-3, batch_size=256)
        per_n, imd_every, calibrate = min(per_n, 12), max(imd_every, 24), 32
    shipped = MIST.load('mist-qr')
    print(f"data: breast cancer, X = {xs}, Y = {ys}, n = {len(x)}; hardware: {hardware()}", flush=True)
    adapted, report = adapt(shipped, x, y, minutes=None if a.steps else a.minutes, steps=a.steps, seed=a.seed,
                            out_dir=a.out, flow_config=flow_config, batch=a.batch, heldout_per_n=per_n, n_grid=n_grid,
                            calibrate=calibrate, device=a.device, progress=sys.stderr.isatty())
    t = time.perf_counter()
    cells = imd_cells(imd_every)
    imd = dict(every=imd_every, count=len(cells), shipped=grid_errors(shipped, cells), adapted=grid_errors(adapted, cells))
    imd_s = time.perf_counter() - t
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        real = dict(shipped=shipped.estimate_with_info(x, y).to_dict(), adapted=adapted.estimate_with_info(x, y).to_dict(),
                    ksg5=KSG(k=5).estimate(x, y), note='no ground truth on the real pair')
    res = dict(
        command='python scripts/flows_demo.py ' + ' '.join(argv if argv is not None else sys.argv[1:]),
        quick=a.quick, hardware=hardware(), torch_threads=torch.get_num_threads(), git_revision=git_revision(ROOT),
        units='nats',
        data=dict(source='sklearn.datasets.load_breast_cancer', rows=len(x), x_columns=xs, y_columns=ys,
                  why='continuous, skewed, heavy-tailed measurements with strong dependence within X and within Y; '
                      'no download; 569 rows (top of the trained n range); digits would be discrete and need a PCA'),
        flows=report['flows'], base=report['base'], finetune=report['finetune'], calibration=report['calibration'],
        heldout_adapted_grid=dict({k: report['heldout'][k] for k in ('stream', 'n_grid', 'per_n', 'count', 'mi_range')},
                                  shipped=report['heldout']['before'], adapted=report['heldout']['after']),
        imd_grid=imd, real_data=real, adapted_model=report['model'],
        seconds=dict(report['seconds'], adapt=report['seconds']['total'], imd=round(imd_s, 1),
                     total=round(time.perf_counter() - t0, 1)))
    atomic_write_text(json.dumps(res, indent=1), a.results)

    fl, ft = report['flows'], report['finetune']
    print(f"\nflows (val NLL nats/row, flow vs Gaussian): X {fl['x']['val_nll']:.3f} vs {fl['x']['gaussian_val_nll']:.3f}, "
          f"Y {fl['y']['val_nll']:.3f} vs {fl['y']['gaussian_val_nll']:.3f}; fitted in {report['seconds']['flows']:.0f} s")
    print(f"fine-tuning: {ft['steps']} steps, {ft['datasets_seen']} datasets, {ft['seconds']:.0f} s on {ft['device']}")
    print(f"held-out adapted grid, MI {res['heldout_adapted_grid']['mi_range'][0]:.2f}..{res['heldout_adapted_grid']['mi_range'][1]:.2f} nats:")
    print(f"  shipped  {fmt(report['heldout']['before'])}\n  adapted  {fmt(report['heldout']['after'])}")
    print(f"IMD grid (every {imd_every}th cell):\n  shipped  {fmt(imd['shipped'])}\n  adapted  {fmt(imd['adapted'])}")
    print(f"real pair: shipped {real['shipped']['mi']:.3f}, adapted {real['adapted']['mi']:.3f}, KSG-5 {real['ksg5']:.3f} nats")
    print(f"total {res['seconds']['total']:.0f} s; wrote {a.results}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
