"""Imports point one way (the layers in pyproject.toml's [tool.importlinter]): an app
imports only the layers below it, so the registry never depends on what is built on it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)


def test_no_import_points_back_up():
    checked = lint(ROOT)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "1 kept, 0 broken" in checked.stdout


def test_an_import_pointing_up_is_caught(tmp_path):
    shutil.copytree(ROOT / "refuge", tmp_path / "refuge",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "locale",
                                                  "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    # The registry reaching up into shelter, as registry/demo.py once did.
    (tmp_path / "refuge" / "registry" / "upward.py").write_text(
        "from refuge.shelter.models import Site  # noqa\n")
    checked = lint(tmp_path)
    assert checked.returncode != 0
    assert "refuge.registry is not allowed to import refuge.shelter" in checked.stdout
