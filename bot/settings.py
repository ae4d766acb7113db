"""Settings from environment variables and `.env` (see `.env.example` for every one)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Brain ---------------------------------------------------------------------
    # Who writes the interviewer's words. auto: Gemini with a key, otherwise offline.
    brain: Literal["auto", "gemini", "openai", "offline"] = "auto"

    # When both are set, GOOGLE_API_KEY wins, as in google-genai itself (and its warning).
    gemini_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("GOOGLE_API_KEY", "GEMINI_API_KEY")
    )
    gemini_model: str = "gemini-3.8-flash"
    gemini_base_url: str | None = None
    gemini_api_version: str = "v1"
    gemini_timeout_seconds: float = Field(30.0, gt=0)
    gemini_report_timeout_seconds: float = Field(120.0, gt=0)
    gemini_rate_limit_wait_seconds: float = Field(10.0, ge=0)

    # Any OpenAI-compatible chat completions server (BRAIN=openai): Ollama, llama.cpp,
    # vLLM, LM Studio, hosted providers. Empty base URL: OpenAI's own API (needs a key).
    openai_base_url: str = ""
    openai_api_key: SecretStr | None = None  # optional for local servers
    openai_model: str = ""
    openai_timeout_seconds: float = Field(60.0, gt=0)
    openai_report_timeout_seconds: float = Field(300.0, gt=0)
    openai_rate_limit_wait_seconds: float = Field(10.0, ge=0)
    openai_response_format: Literal["auto", "json_schema", "json_object", "text"] = "auto"

    # Discord -------------------------------------------------------------------
    discord_token: SecretStr | None = None
    discord_guild_ids: str = ""  # comma-separated guild ids for instant command sync
    # Sharding: the bot's total shard count, and the shard ids this process runs (e.g. "1").
    # Empty count: one process, no sharding. Several processes need the shared STORE_URL.
    discord_shard_count: int | None = Field(None, ge=1)
    discord_shard_ids: str = ""

    # Slack ---------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None  # xapp-...: Socket Mode
    slack_signing_secret: SecretStr | None = None  # HTTP mode
    slack_api_url: str = ""  # Web API base URL; empty: Slack's own (e.g. GovSlack's differs)

    # HTTP API ------------------------------------------------------------------
    api_token: SecretStr | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8000

    # Sessions and storage ------------------------------------------------------
    session_ttl_hours: float = Field(24.0, gt=0)
    store_url: str = ""  # empty: sqlite file at sqlite_path; "memory://"; "redis://host:6379/0"
    sqlite_path: Path = Path("data/interviews.sqlite3")
    retention_days: int = Field(90, ge=1)

    # Logging -------------------------------------------------------------------
    log_level: str = "INFO"
    log_format: str = "console"  # console | json

    @field_validator("brain", "openai_response_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def guild_ids(self) -> list[int]:
        return [int(part) for part in self.discord_guild_ids.replace(" ", "").split(",") if part]

    @property
    def shard_ids(self) -> list[int]:
        return [int(part) for part in self.discord_shard_ids.replace(" ", "").split(",") if part]

    @field_validator("discord_shard_count", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        ids = self.shard_ids
        if ids and self.discord_shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total number of "
                             "shards of the bot)")
        if self.discord_shard_count is not None and any(
                not 0 <= shard < self.discord_shard_count for shard in ids):
            raise ValueError(f"DISCORD_SHARD_IDS must be between 0 and "
                             f"{self.discord_shard_count - 1} (DISCORD_SHARD_COUNT - 1)")
        return self

    @property
    def discord_shards(self) -> dict[str, object]:
        """Options for the Discord client: which shards of how many this process runs."""
        if self.discord_shard_count is None:
            return {}
        return {"shard_count": self.discord_shard_count,
                "shard_ids": self.shard_ids or list(range(self.discord_shard_count))}

    @property
    def has_gemini(self) -> bool:
        return bool(self.gemini_api_key and self.gemini_api_key.get_secret_value())

    @property
    def has_discord(self) -> bool:
        return bool(self.discord_token and self.discord_token.get_secret_value())

    @property
    def has_slack(self) -> bool:
        return bool(self.slack_bot_token and self.slack_bot_token.get_secret_value()) and bool(
            self.slack_app_token or self.slack_signing_secret
        )
