"Packaging: wheel contents and metadata, imports without nbdev/jupyter/JAX, and an offline install that runs."
import email, os, shutil, site, subprocess, sys, textwrap, venv, zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ('nbdev', 'jupyter', 'jupyterlab', 'IPython', 'ipykernel', 'jax', 'jaxlib', 'fastcore', 'execnb')


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp('dist')
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', str(ROOT), '--no-deps', '--no-build-isolation', '-q', '-w', str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = out.glob('mist_nb-*.whl')
    return whl


def test_wheel_ships_models_grids_and_code(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ('mist_nb/__init__.py', 'mist_nb/sampling.py', 'mist_nb/model.py', 'mist_nb/estimate.py', 'mist_nb/cli.py',
              'mist_nb/baselines.py', 'mist_nb/checkpoints/mist-qr.pt', 'mist_nb/checkpoints/mist-qr.json',
              'mist_nb/checkpoints/mist.pt', 'mist_nb/checkpoints/mist.json', 'mist_nb/checkpoints/mist-qr-paper.pt',
              'mist_nb/checkpoints/mist-qr.calibration.json', 'mist_nb/grids/channels.json', 'mist_nb/grids/regression.json', 'mist_nb/grids/mixtures.npz', 'mist_nb/report.py', 'mist_nb/sklearn.py'):
        assert f in names, f
    assert not any(n.startswith(('nbs/', 'tests/', 'runs/')) for n in names)
    size = sum(i.file_size for i in zipfile.ZipFile(wheel).infolist())
    assert size < 20e6


def test_wheel_requires_no_notebook_or_jax_stack(wheel):
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read(
        next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith('METADATA'))))
    reqs = meta.get_all('Requires-Dist') or []
    core = [r for r in reqs if 'extra ==' not in r]
    assert any(r.startswith('torch') for r in core)
    for r in core: assert not r.lower().startswith(tuple(f.lower() for f in FORBIDDEN)), r
    eps = zipfile.ZipFile(wheel).read(next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith('entry_points.txt'))).decode()
    assert 'mist-nb = mist_nb.cli:main' in eps


def test_import_without_nbdev_jupyter_or_jax():
    code = textwrap.dedent(f"""
        import sys, importlib.abc
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in {FORBIDDEN!r}: raise ImportError('blocked: ' + name)
        sys.meta_path.insert(0, Block())
        import mist_nb, mist_nb.sampling, mist_nb.model, mist_nb.losses, mist_nb.train, mist_nb.estimate, mist_nb.baselines, mist_nb.cli
        import importlib.util
        for m in ('evaluate', 'flows'):
            if importlib.util.find_spec('mist_nb.' + m): importlib.import_module('mist_nb.' + m)
        from mist_nb import estimate_mi
        import numpy as np
        r = estimate_mi(np.arange(50.) + np.sin(np.arange(50.)), np.arange(50.) ** 0.5)
        assert r.mi > 0, r
        bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]
        assert not bad, bad
        print('ok')
    """)
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and 'ok' in r.stdout, r.stderr[-3000:]


def venv_python(env_dir: Path) -> Path:
    return env_dir / ('Scripts' if os.name == 'nt' else 'bin') / ('python.exe' if os.name == 'nt' else 'python')


def venv_script(env_dir: Path, name: str) -> Path:
    return env_dir / ('Scripts' if os.name == 'nt' else 'bin') / (name + ('.exe' if os.name == 'nt' else ''))


def running_site_dirs() -> list:
    "The running interpreter's site-packages (a venv's, a system interpreter's or a conda env's) and user site, where they exist."
    dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
    out = []
    for d in dirs:
        if d and os.path.isdir(d) and d not in out: out.append(d)
    return out


def test_fresh_install_of_the_wheel_runs_offline(wheel, tmp_path):
    "Install the wheel (no index, no deps) into a new venv that sees only the already-installed dependencies."
    env_dir = tmp_path / 'venv'
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    py = venv_python(env_dir)
    purelib = subprocess.run([str(py), '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
                             capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    assert Path(purelib).resolve().is_relative_to(env_dir.resolve()), purelib
    # the running interpreter's packages (torch, numpy, ...) become visible to the venv, after its own site-packages
    (Path(purelib) / '_running_interpreter_site.pth').write_text(''.join(d + '\n' for d in running_site_dirs()))
    r = subprocess.run([str(py), '-m', 'pip', 'install', '-q', '--no-index', '--no-deps', str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1', 'NO_PROXY': '*', 'http_proxy': 'http://0.0.0.0:9',
           'https_proxy': 'http://0.0.0.0:9', 'PYTHONPATH': ''}
    check = ("import mist_nb, numpy as np; from mist_nb import estimate_mi; import mist_nb.estimate as e;"
             "p = e.resolve_checkpoint('mist-qr'); assert str(p).startswith(%r), p;"
             "assert mist_nb.__file__.startswith(%r), mist_nb.__file__;"
             "rng = np.random.default_rng(0); x = rng.normal(size=300); r = estimate_mi(x, x + rng.normal(size=300)); print(r)"
             % (str(env_dir), str(env_dir)))
    r = subprocess.run([str(py), '-c', check], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'MIResult' in r.stdout
    r = subprocess.run([str(venv_script(env_dir, 'mist-nb')), 'demo', '--n', '200'], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'mean absolute error' in r.stdout and 'nats' in r.stdout


README_IGNORE = shutil.ignore_patterns('.git', '__pycache__', '*.egg-info', 'build', 'dist', '_docs', '_proc', '.ipynb_checkpoints',
                                       '.venv', 'runs', 'scratch', '*.tmp', '.pytest_cache', '*.progress')


@pytest.mark.skipif(not os.environ.get('MIST_SLOW_TESTS'), reason='slow: pip installs torch and the repo into a fresh venv like a user (set MIST_SLOW_TESTS=1)')
def test_readme_setup_in_a_fresh_venv(tmp_path):
    "The README's commands, for real: a fresh venv, `pip install torch==2.13.0 && pip install -e '.[test]'`, then `mist-nb demo`."
    repo = tmp_path / 'mist-nb'
    shutil.copytree(ROOT, repo, ignore=README_IGNORE)            # a clean checkout; the working copy is left alone
    env_dir = tmp_path / 'venv'
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    bindir = venv_python(env_dir).parent
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'PYTHONUSERBASE')}
    env.update(PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", VIRTUAL_ENV=str(env_dir), OMP_NUM_THREADS='1',
               PIP_DISABLE_PIP_VERSION_CHECK='1')

    def sh(cmd, timeout=1800):
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=repo, env=env, timeout=timeout)

    probe = sh('pip index versions torch', timeout=600)
    if probe.returncode != 0 or '2.13.0' not in probe.stdout:
        pytest.skip(f"pip cannot reach an index with torch 2.13.0: {(probe.stderr or probe.stdout).strip()[-300:]}")
    r = sh('pip install torch==2.13.0')
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    r = sh('pip install -e ".[test]"')
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    r = sh('python -c "import torch, mist_nb; print(torch.__version__); print(torch.__file__); print(mist_nb.__file__)"', timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    version, torch_file, pkg_file = r.stdout.split()
    assert version.startswith('2.13.0') and Path(torch_file).resolve().is_relative_to(env_dir.resolve()), r.stdout
    assert Path(pkg_file).resolve().is_relative_to(repo.resolve()), r.stdout
    r = sh('mist-nb demo', timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'nats' in r.stdout and 'mean absolute error' in r.stdout, r.stdout[-2000:]
