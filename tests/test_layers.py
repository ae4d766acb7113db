"""The layer rules of DESIGN.md, checked by import-linter (contracts in ``.importlinter``):
``bot -> adapters -> core``, adapters independent of each other, no cycles inside core,
and only the storage backends import redis or aiosqlite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# In a child process with the repository as its working directory: import-linter finds the
# packages on sys.path, and pytest's own path tweaks cannot change what it sees.
LINT = ("import sys; from importlinter import configuration; configuration.configure(); "
        "from importlinter.application.use_cases import lint_imports; "
        "sys.exit(0 if lint_imports(config_filename=sys.argv[1], cache_dir=None, no_logo=True) "
        "else 1)")


def lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LINT, str(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_codebase_keeps_every_layer_contract():
    result = lint(ROOT / ".importlinter")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_the_checker_fails_on_an_import_against_the_layers(tmp_path):
    """The same checker, told that core sits above adapters, must find adapters importing core."""
    reversed_layers = tmp_path / "reversed.ini"
    reversed_layers.write_text(
        "[importlinter]\nroot_packages =\n    core\n    adapters\n\n"
        "[importlinter:contract:reversed]\nname = reversed\ntype = layers\n"
        "layers =\n    core\n    adapters\n", encoding="utf-8")
    result = lint(reversed_layers)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and "adapters." in result.stdout
