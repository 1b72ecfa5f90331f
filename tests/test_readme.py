"The README is rendered from nbs/index.ipynb, and its numbers are those in the result files."
import importlib.util
from pathlib import Path

from mist_nb.report import readme_report

ROOT = Path(__file__).resolve().parent.parent


def _render():
    spec = importlib.util.spec_from_file_location('render_readme', ROOT / 'tools' / 'render_readme.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod.render()


def test_readme_is_in_sync_with_the_index_notebook():
    assert (ROOT / 'README.md').read_text() == _render()


def test_readme_numbers_come_from_the_result_files():
    "Re-render the report from data/ now: the README must contain it verbatim."
    report = readme_report(ROOT / 'data')
    readme = (ROOT / 'README.md').read_text()
    assert report.strip() in readme, 'README results differ from data/: re-run the index notebook and tools/render_readme.py'


def test_readme_has_exactly_two_setup_commands_and_the_ci_uses_one():
    readme = (ROOT / 'README.md').read_text()
    cmds = [l for l in readme.splitlines() if l.startswith('pip install torch==2.13.0')]
    assert len(cmds) == 2 and cmds[0].endswith('mist-nb demo') and cmds[1].endswith('bash tools/test.sh')
    assert '<!-- test-command -->' in readme and 'test-command' in (ROOT / '.ci' / 'run').read_text()
