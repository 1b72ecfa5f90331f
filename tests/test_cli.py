"The mist-nb command: help, demo, estimate on CSV/Parquet/NPZ, grouped estimates, clear errors."
import json, shutil, subprocess, sys

import numpy as np
import pandas as pd
import pytest

from mist_nb.sampling import get_task

EXE = shutil.which('mist-nb')


def run(*args, **kw):
    cmd = [EXE, *args] if EXE else [sys.executable, '-c', 'import sys; from mist_nb.cli import main; sys.exit(main())', *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={'OMP_NUM_THREADS': '1', **kw.pop('env', {}),
                          'PATH': __import__('os').environ['PATH']}, **kw)


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp('data')
    x, y = get_task('multinormal-sparse-3-3-2-2.0').sample(400, 2)
    df = pd.DataFrame(np.c_[x, y], columns=list('abcdef'))
    df['site'] = np.repeat(['north', 'south'], 200)
    df['id'] = [f'r{i}' for i in range(400)]
    df.to_csv(d / 'data.csv', index=False)
    df.to_parquet(d / 'data.parquet')
    np.savez(d / 'data.npz', x=x, y=y, other=x[:, :1])
    return d


def test_help_teaches():
    r = run('--help')
    assert r.returncode == 0 and 'nats' in r.stdout and 'examples:' in r.stdout and 'estimate' in r.stdout
    r = run('estimate', '--help')
    assert r.returncode == 0 and '--level' in r.stdout and 'index range' in r.stdout
    r = run('train', '--help')
    assert r.returncode == 0 and '--minutes' in r.stdout and 'torchrun' in r.stdout


def test_demo_json():
    r = run('demo', '--n', '200', '--json')
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) >= 5 and all(set(row) >= {'truth', 'mist', 'lower', 'upper', 'ksg', 'mist_ms', 'ksg_ms'} for row in rows)


@pytest.mark.parametrize('name', ['data.csv', 'data.parquet'])
def test_estimate_table(files, name):
    r = run('estimate', str(files / name), '--x', '0:3', '--y', 'd,e,f', '--json')
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out['dim_x'], out['dim_y'], out['n']) == (3, 3, 400)
    assert out['lower'] <= out['mi'] <= out['upper'] and abs(out['mi'] - 1.0217) < 0.3
    text = run('estimate', str(files / name), '--x', 'a,b,c', '--y', '3:6').stdout
    assert 'nats' in text and f"{out['mi']:.4f}" in text


def test_estimate_npz_and_groups(files):
    r = json.loads(run('estimate', str(files / 'data.npz'), '--json').stdout)
    assert r['dim_x'] == 3
    r = run('estimate', str(files / 'data.npz'), '--x', 'other', '--y', 'y', '--json')
    assert json.loads(r.stdout)['dim_x'] == 1
    g = json.loads(run('estimate', str(files / 'data.csv'), '--x', 'a', '--y', 'd', '--by', 'site', '--json').stdout)
    assert [o['group'] for o in g] == ['north', 'south'] and all(o['n'] == 200 for o in g)


def test_no_interval_prints_the_point_alone(files):
    f = str(files / 'data.csv')
    full = json.loads(run('estimate', f, '--x', '0:3', '--y', 'd,e,f', '--json').stdout)
    r = run('estimate', f, '--x', '0:3', '--y', 'd,e,f', '--no-interval', '--json')
    assert r.returncode == 0, r.stderr
    alone = json.loads(r.stdout)
    assert alone['mi'] == full['mi'] and alone['lower'] is None and alone['upper'] is None and alone['level'] is None
    text = run('estimate', f, '--x', '0:3', '--y', 'd,e,f', '--no-interval').stdout
    assert f"{full['mi']:.4f} nats" in text and 'interval' not in text.splitlines()[0]
    by = [json.loads(run('estimate', f, '--x', 'a', '--y', 'd', '--by', 'site', '--json', *extra).stdout) for extra in ((), ('--no-interval',))]
    assert [o['mi'] for o in by[0]] == [o['mi'] for o in by[1]] and all(o['lower'] is None for o in by[1])

def test_a_column_of_labels_is_coded_with_a_note(files):
    r = run('estimate', str(files / 'data.csv'), '--x', 'a,site', '--y', 'd', '--json')
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out['dim_x'] == 2 and any("x[:, 1] ('site') holds 2 labels" in m for m in out['notes'])


@pytest.mark.parametrize('args, msg', [
    (('--x', 'a,zz', '--y', 'd'), "no column 'zz'"),
    (('--x', 'a,id', '--y', 'd'), "x[:, 1] ('id') is not numeric: 400 distinct labels"),
    (('--x', 'a,b', '--y', 'b,c'), 'share columns'),
    (('--x', 'a', '--y', 'd', '--level', '0.2'), 'level must be between'),
    (('--x', 'a',), 'give the columns'),
])
def test_estimate_errors_are_one_clear_line(files, args, msg):
    r = run('estimate', str(files / 'data.csv'), *args)
    assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr


def test_missing_file():
    r = run('estimate', 'no/such/file.csv', '--x', 'a', '--y', 'b')
    assert r.returncode == 2 and 'no such file' in r.stderr


def test_tasks():
    rows = json.loads(run('tasks', '--json').stdout)
    assert len(rows) == 40 and rows[2]['id'] == '1v1-additive-0.1' and abs(rows[2]['mi_nats'] - 1.709438) < 1e-5


def test_a_csv_date_column_is_read_as_times(tmp_path):
    "ISO 8601 text (a CSV's dates) becomes times; the estimate equals that of the day numbers, and a bootstrap's copies go."
    rng = np.random.default_rng(3)
    days = pd.date_range('2023-06-01', periods=300, freq='D')
    v = np.sin(np.arange(300) / 40) + 0.3 * rng.normal(size=300)
    pd.DataFrame({'day': days.strftime('%Y-%m-%d'), 'v': v}).to_csv(tmp_path / 'd.csv', index=False)
    pd.DataFrame({'day': np.arange(300.), 'v': v}).to_csv(tmp_path / 'n.csv', index=False)
    a, b = (json.loads(run('estimate', str(tmp_path / f), '--x', 'day', '--y', 'v', '--json').stdout) for f in ('d.csv', 'n.csv'))
    assert a['mi'] == b['mi'] and any("('day') holds dates or times" in m for m in a['notes'])
    boot = rng.integers(0, 300, 300)
    pd.DataFrame({'day': days.strftime('%Y-%m-%d')[boot], 'v': v[boot]}).to_csv(tmp_path / 'b.csv', index=False)
    c = json.loads(run('estimate', str(tmp_path / 'b.csv'), '--x', 'day', '--y', 'v', '--json').stdout)
    assert c['n'] == len(np.unique(boot)) and any('are copies' in m for m in c['notes'])


def test_python_dash_m_runs_the_command():
    "`python -m mist_nb.cli` once ran nothing and exited 0; it is the `mist-nb` command."
    r = subprocess.run([sys.executable, '-m', 'mist_nb.cli', 'tasks', '--json'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 40, (r.returncode, r.stdout[:200], r.stderr[-300:])


def test_rows_without_a_by_group_are_an_error_or_dropped_with_a_note(tmp_path):
    "groupby drops rows whose --by value is missing without a word: the command names them instead."
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    df = pd.DataFrame({'a': a, 'b': a + rng.normal(size=200), 'g': np.repeat(['u', 'v'], 100).astype(object)})
    df.loc[[0, 1, 150], 'g'] = None
    df.to_csv(tmp_path / 'g.csv', index=False)
    r = run('estimate', str(tmp_path / 'g.csv'), '--x', 'a', '--y', 'b', '--by', 'g')
    assert r.returncode == 2 and "no value in 3 of 200 rows" in r.stderr and '--dropna' in r.stderr
    r = run('estimate', str(tmp_path / 'g.csv'), '--x', 'a', '--y', 'b', '--by', 'g', '--dropna', '--json')
    out = json.loads(r.stdout)
    assert r.returncode == 0 and [x['n'] for x in out['results']] == [98, 99] and out['notes'][0].startswith('3 of 200 rows have no value')


def test_numbers_read_as_text_get_a_way_out(tmp_path):
    "A stray '?' or decimal commas turn a numeric column into text: the error says which, and --na-values / --decimal read it."
    rng = np.random.default_rng(1)
    a = rng.normal(size=200)
    df = pd.DataFrame({'a': a.round(4), 'b': (a + rng.normal(size=200)).round(4)})
    df.to_csv(tmp_path / 'clean.csv', index=False)
    df.to_csv(tmp_path / 'euro.csv', index=False, sep=';', decimal=',')
    s = df.astype(object); s.loc[3, 'a'] = '?'; s.to_csv(tmp_path / 'stray.csv', index=False)
    r = run('estimate', str(tmp_path / 'stray.csv'), '--x', 'a', '--y', 'b')
    assert r.returncode == 2 and "holds numbers except 1 of 200 values ('?')" in r.stderr and '--na-values' in r.stderr, r.stderr
    r = run('estimate', str(tmp_path / 'euro.csv'), '--x', 'a', '--y', 'b')
    assert r.returncode == 2 and '--decimal ,' in r.stderr, r.stderr
    clean = json.loads(run('estimate', str(tmp_path / 'clean.csv'), '--x', 'a', '--y', 'b', '--json').stdout)['mi']
    assert json.loads(run('estimate', str(tmp_path / 'euro.csv'), '--x', 'a', '--y', 'b', '--decimal', ',', '--json').stdout)['mi'] == clean
    r = run('estimate', str(tmp_path / 'stray.csv'), '--x', 'a', '--y', 'b', '--na-values', '?', '--dropna', '--json')
    assert r.returncode == 0 and json.loads(r.stdout)['n'] == 199


def test_formatted_numbers_are_named_and_thousands_separators_read(tmp_path):
    "Excel-style exports ('1,234.50', '$12.00', '12.5%', '3.1 kg') are named for what they are, and --thousands reads the first kind."
    rng = np.random.default_rng(2)
    a = rng.lognormal(7, 1, 300)
    b = np.log(a) + rng.normal(size=300)
    pd.DataFrame({'a': a.round(2), 'b': b}).to_csv(tmp_path / 'plain.csv', index=False)
    pd.DataFrame({'a': [f"{v:,.2f}" for v in a], 'b': b}).to_csv(tmp_path / 'grouped.csv', index=False)
    r = run('estimate', str(tmp_path / 'grouped.csv'), '--x', 'a', '--y', 'b')
    assert r.returncode == 2 and 'thousands separators' in r.stderr and '--thousands ,' in r.stderr, r.stderr
    plain = json.loads(run('estimate', str(tmp_path / 'plain.csv'), '--x', 'a', '--y', 'b', '--json').stdout)['mi']
    assert json.loads(run('estimate', str(tmp_path / 'grouped.csv'), '--x', 'a', '--y', 'b', '--thousands', ',', '--json').stdout)['mi'] == plain
    for text in ([f"${v:,.2f}" for v in a], [f"{v / 100:.1f}%" for v in a], [f"{v:.2f} kg" for v in a]):
        pd.DataFrame({'a': text, 'b': b}).to_csv(tmp_path / 'unit.csv', index=False)
        r = run('estimate', str(tmp_path / 'unit.csv'), '--x', 'a', '--y', 'b')
        assert r.returncode == 2 and f"written with a sign or unit (such as {text[0]!r})" in r.stderr, r.stderr
    pd.DataFrame({'a': [f"id{i}" for i in range(300)], 'b': b}).to_csv(tmp_path / 'ids.csv', index=False)
    r = run('estimate', str(tmp_path / 'ids.csv'), '--x', 'a', '--y', 'b')
    assert r.returncode == 2 and 'sign or unit' not in r.stderr and '300 distinct labels' in r.stderr, r.stderr


def test_a_spreadsheet_is_not_read_as_csv(tmp_path):
    "An .xlsx file was read as CSV and reported as having no data rows; now it is read as a spreadsheet, or the error says what is missing."
    import importlib.util, zipfile
    p = tmp_path / 'sheet.xlsx'
    with zipfile.ZipFile(p, 'w') as z: z.writestr('xl/workbook.xml', '<workbook/>'); z.writestr('[Content_Types].xml', '<Types/>')
    r = run('estimate', str(p), '--x', 'a', '--y', 'b')
    want = 'cannot read' if importlib.util.find_spec('openpyxl') else 'needs a spreadsheet reader'
    assert r.returncode == 2 and want in r.stderr and 'no data rows' not in r.stderr, r.stderr
