"""core/ is the reusable part: it must not import any platform library."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
PLATFORM_PACKAGES = {"discord", "slack_bolt", "slack_sdk", "fastapi", "starlette", "uvicorn",
                     "aiohttp", "adapters", "bot", "httpx", "readline", "curses"}
# The model SDK is the brain's own dependency, allowed only in its module.
MODEL_SDK = {"google"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_platform_library():
    offenders = {}
    for path in CORE.rglob("*.py"):
        banned = PLATFORM_PACKAGES | (set() if path.name.startswith("gemini") else MODEL_SDK)
        found = _imports(path) & banned
        if found:
            offenders[str(path.relative_to(CORE))] = sorted(found)
    assert offenders == {}


def test_the_boundary_check_would_catch_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from discord import app_commands\nimport slack_bolt.app\n")
    assert _imports(sample) & PLATFORM_PACKAGES == {"discord", "slack_bolt"}
