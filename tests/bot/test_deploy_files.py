"""docker-compose.yml and the Dockerfile stay in step with the code they run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_bot_service_shares_the_redis_store_and_names_real_settings():
    services = compose()["services"]
    assert {"redis", "api", "discord", "slack"} <= set(services)
    known = {name.upper() for name in Settings.model_fields}
    for name in ("api", "discord", "slack"):
        service = services[name]
        assert service["environment"]["STORE_URL"] == "redis://redis:6379/0"
        assert set(service["environment"]) <= known
        assert service["command"][:3] == ["python", "-m", "bot"]
        assert service["command"][3] == name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"


def test_the_api_listens_beyond_the_container_and_publishes_on_loopback_only():
    api = compose()["services"]["api"]
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    assert all(port.startswith("127.0.0.1:") for port in api["ports"])


def test_the_image_copies_every_package_the_project_installs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    packages = re.search(r'include = \[([^\]]*)\]', pyproject).group(1)
    for package in re.findall(r'"(\w+)\*"', packages):
        assert f"COPY {package} {package}" in dockerfile
