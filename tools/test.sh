#!/usr/bin/env bash
# Every test of mist-nb, in the order CI runs them. pytest runs last, so its "N passed" line ends the log.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0

changed() { git status --porcelain --untracked-files=all -- mist_nb nbs README.md; }

echo "== nbdev-export and nbdev-clean must leave no diff (notebooks are the source)"
before=$(changed)
nbdev-export
nbdev-clean
after=$(changed)
if [ "$before" != "$after" ]; then
  echo "nbdev-export / nbdev-clean changed files; run them and commit the result:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi

echo "== ruff (pyflakes rules) on the package, scripts and tests"
ruff check mist_nb scripts tests tools

echo "== README.md must be rendered from nbs/index.ipynb"
python tools/render_readme.py --check

echo "== notebook tests"
n_nbs=$(ls nbs/*.ipynb | wc -l)
if [ "$n_nbs" -eq 0 ]; then echo "no notebooks found in nbs/" >&2; exit 1; fi
log=$(mktemp)
nbdev-test --n-workers 1 --timing 2>&1 | tee "$log"
if grep -q "No files were eligible" "$log" || ! grep -q "^Success\.$" "$log"; then
  echo "nbdev-test did not run and pass the $n_nbs notebooks" >&2; exit 1
fi
n_timed=$(grep -cE '^[0-9A-Za-z_]+\.ipynb: [0-9]+ secs$' "$log" || true)
echo "nbdev-test: $n_timed of $n_nbs notebooks ran and passed"
if [ "$n_timed" -ne "$n_nbs" ]; then echo "expected all $n_nbs notebooks to run" >&2; exit 1; fi

echo "== pytest"
python -m pytest -q tests
