#!/usr/bin/env python3
"""Render README.md from nbs/index.ipynb without Quarto.

    python tools/render_readme.py          # write README.md
    python tools/render_readme.py --check  # exit 1 if README.md is out of sync

Markdown cells are copied as they are; code cells become ```python blocks (nbdev directives removed,
`#| hide` cells skipped) followed by their stored text output. The front-matter cell (a `# Title` plus a
`> summary` line) is kept, like nbdev's own README.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- Rendered from nbs/index.ipynb by tools/render_readme.py: edit the notebook, not this file. -->\n\n'


def _directives(src: str) -> set:
    return {l[3:].split()[0] for l in src.splitlines() if l.startswith('#| ') and len(l) > 3}


def _output_text(out: dict) -> str:
    if out.get('output_type') == 'stream': return ''.join(out.get('text', ''))
    data = out.get('data', {})
    if 'text/markdown' in data: return '\x00md' + ''.join(data['text/markdown'])
    return ''.join(data.get('text/plain', ''))


def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    "README text for the notebook at `nb_path`."
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for cell in nb['cells']:
        src = ''.join(cell['source']).strip('\n')
        if cell['cell_type'] == 'markdown':
            parts.append(src)
            continue
        flags = _directives(src)
        if 'hide' in flags or 'exec: false' in src: continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip('\n')
        if code and 'hide_input' not in flags and 'echo: false' not in src: parts.append(f'```python\n{code}\n```')
        for out in cell.get('outputs', []):
            txt = _output_text(out).rstrip('\n')
            if txt.startswith('\x00md'): parts.append(txt[3:])
            elif txt: parts.append(f'```\n{txt}\n```')
    return HEADER + '\n\n'.join(parts) + '\n'


if __name__ == '__main__':
    text, readme = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of sync with nbs/index.ipynb: run `python tools/render_readme.py`')
        print('README.md is in sync with nbs/index.ipynb')
    else:
        readme.write_text(text)
        print(f'wrote {readme}')
