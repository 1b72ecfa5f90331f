"""What the table scripts share (real_tables.py, regression_tables.py, heldout_regressions.py): their command line
(--run: a training run's checkpoint in place of the shipped mist-qr; --out), the estimators run on each sample in the
same process (MIST-QR with its 90% interval, KSG with k = 5, CCA), and the output (`mist_nb.evaluate.save_cells`, then
`mist_nb.report.real_tables_table`)."""
import argparse, sys, time
from pathlib import Path

from mist_nb import MIST
from mist_nb.baselines import KSG, CCA
from mist_nb.evaluate import cell_results, save_cells
from mist_nb.report import real_tables_table

ROOT = Path(__file__).resolve().parent.parent
LEVEL = 0.9


class TableCheck:
    "The estimators of a table script and the cells they fill, one sample at a time."
    def __init__(self, doc: str, out_name: str):
        p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument('--run', type=Path, help="a training run folder whose checkpoint.pt stands in for the shipped mist-qr (a candidate, before "
                                                "shipping; with the shipped card and calibration)")
        p.add_argument('--out', type=Path, default=ROOT / 'data' / 'results' / out_name, help='where the netCDF file goes')
        a = p.parse_args()
        model = MIST.load('mist-qr')
        if a.run:
            sys.path.insert(0, str(ROOT / 'scripts'))
            from compare_candidate import candidate
            model = candidate(a.run, model)
        self.out, self.t0 = a.out, time.time()
        self.ests = {'MIST-QR': model, 'KSG': KSG(k=5), 'CCA': CCA(ridge=1e-6)}
        self.est = {k: [] for k in self.ests}
        self.lo, self.hi, self.truth, self.ns = {'MIST-QR': []}, {'MIST-QR': []}, [], []

    def add(self, x, y, truth: float):
        "Run every estimator on (x, y) with known MI `truth` (nats)."
        for k, e in self.ests.items():
            if isinstance(e, MIST):
                r = e.estimate_with_info(x, y, LEVEL); self.est[k].append(r.mi); self.lo[k].append(r.lower); self.hi[k].append(r.upper)
            else: self.est[k].append(float(e.estimate(x, y)))
        self.truth.append(truth); self.ns.append(len(x))

    def elapsed(self) -> str: return f"{time.time() - self.t0:.0f} s"

    def save(self, script: str, question: str, summary: str, **coords) -> Path:
        "Save the cells (with `coords`: a list per cell each) and print the shared table."
        ds = cell_results(self.est, self.truth, self.ns, self.lo, self.hi, LEVEL).assign_coords(**{k: ('cell', v) for k, v in coords.items()})
        out = save_cells(ds, self.out, units='nats', seconds=round(time.time() - self.t0), question=question,
                         command=' '.join(['python', script, *sys.argv[1:]]))
        print(f"\n{len(self.truth)} samples ({summary}), truth {min(self.truth):.2f}-{max(self.truth):.2f} nats; {out}\n")
        print(real_tables_table(out, LEVEL))
        print(f"\ndone in {self.elapsed()}")
        return out
