"""The registry of surfaces: the command line, and what runs when no surface is named."""

from __future__ import annotations

import argparse

import pytest

from bot.__main__ import parse_args
from bot.settings import Settings
from bot.surfaces import DEFAULT, SURFACES, Surface, configured, register


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_every_registered_surface_is_a_command_with_its_own_arguments():
    assert set(SURFACES) == {"cli", "history", "forget", "discord", "slack", "api"}
    assert parse_args(["slack", "--http", "--port", "4000"]).port == 4000
    assert parse_args(["api", "--host", "0.0.0.0"]).host == "0.0.0.0"
    with pytest.raises(SystemExit):
        parse_args(["discord", "--http"])  # Slack's flag is not Discord's


def test_with_no_surface_named_the_configured_platforms_run_else_the_terminal():
    assert [s.name for s in configured(settings(), None)] == [DEFAULT]
    assert [s.name for s in configured(settings(discord_token="t"), None)] == ["discord"]
    both = settings(discord_token="t", slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert [s.name for s in configured(both, None)] == ["discord", "slack"]
    assert [s.name for s in configured(both, "api")] == ["api"]
    assert parse_args([]).surface is None and parse_args([]).difficulty == "mid"


def test_a_name_is_registered_once():
    async def run(service, settings, args):
        return 0

    with pytest.raises(ValueError, match="twice"):
        register(Surface("cli", "again", run))


async def test_the_api_surface_maps_settings_and_arguments_to_plain_values(monkeypatch):
    seen = {}

    async def fake_run_api(service, **values):
        seen.update(values)

    monkeypatch.setattr("adapters.http.run_api", fake_run_api)
    await SURFACES["api"].run(object(), settings(api_token="s3cret", api_port=9000),
                              argparse.Namespace(host=None, port=None))
    assert seen == {"host": "127.0.0.1", "port": 9000, "api_token": "s3cret",
                    "log_level": settings().log_level}
