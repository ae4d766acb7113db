"""Settings from environment variables and `.env` (see `.env.example` for every one)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
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

    # Slack ---------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None  # xapp-...: Socket Mode
    slack_signing_secret: SecretStr | None = None  # HTTP mode

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
