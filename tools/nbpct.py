#!/usr/bin/env python3
"""Round-trip a notebook and a percent-format script, for editing chapters in a text editor.

    python tools/nbpct.py to-pct nbs/00_sampling.ipynb  > /tmp/00_sampling.py
    python tools/nbpct.py to-nb  /tmp/00_sampling.py nbs/00_sampling.ipynb

Cells start with `# %%` (code) or `# %% [markdown]` (markdown; each line prefixed by `# `).
The notebook stays the source of truth: run `nbdev-export` and `nbdev-clean` after `to-nb`.
"""
import json, sys
from pathlib import Path

MD, CODE = '# %% [markdown]', '# %%'


def nb_to_pct(nb_path):
    "Percent-format text of the notebook at `nb_path`."
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for c in nb['cells']:
        src = ''.join(c['source']).rstrip('\n')
        if c['cell_type'] == 'markdown':
            out.append(MD + '\n' + '\n'.join(('# ' + l) if l else '#' for l in src.split('\n')))
        else: out.append(CODE + '\n' + src)
    return '\n\n'.join(out) + '\n'


def _split_cells(text):
    "Yield (kind, lines) for each cell in percent-format `text`."
    kind, lines = None, []
    for line in text.split('\n'):
        if line.startswith(MD) or line.rstrip() == CODE:
            if kind: yield kind, lines
            kind, lines = ('markdown' if line.startswith(MD) else 'code'), []
        elif kind: lines.append(line)
    if kind: yield kind, lines


def _cell(kind, lines):
    while lines and not lines[-1].strip(): lines.pop()
    while lines and not lines[0].strip(): lines.pop(0)
    if kind == 'markdown': lines = [l[2:] if l.startswith('# ') else l[1:] if l.startswith('#') else l for l in lines]
    src = [l + '\n' for l in lines]
    if src: src[-1] = src[-1][:-1]
    c = dict(cell_type=kind, metadata={}, source=src)
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c


def pct_to_nb(text):
    "Notebook dict from percent-format `text`."
    return dict(cells=[_cell(k, l) for k, l in _split_cells(text)],
                metadata=dict(kernelspec=dict(display_name='python3', language='python', name='python3')),
                nbformat=4, nbformat_minor=5)


if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    if cmd == 'to-pct': sys.stdout.write(nb_to_pct(args[0]))
    elif cmd == 'to-nb':
        nb, dest = pct_to_nb(Path(args[0]).read_text()), Path(args[1])
        if dest.exists():  # keep existing cell ids (by position) so exported modules do not churn
            old = json.loads(dest.read_text())['cells']
            for c, o in zip(nb['cells'], old):
                if 'id' in o: c['id'] = o['id']
        dest.write_text(json.dumps(nb, indent=1) + '\n')
    else: sys.exit(f'unknown command {cmd!r}: use to-pct or to-nb')
