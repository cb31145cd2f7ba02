from __future__ import annotations

from pathlib import Path

import pytest

from copilot.cli import main
from copilot.core.errors import ConfigError
from copilot.core.settings import Settings, load_settings


def test_defaults_put_everything_under_dot_copilot(tmp_path: Path) -> None:
    s = Settings()
    assert s.home_dir == (tmp_path / ".copilot").resolve()
    assert s.effective_database_url == f"sqlite:///{tmp_path / '.copilot' / 'shop.db'}"
    assert s.llm == "local"


def test_precedence_kwargs_over_env_over_dotenv_over_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("COPILOT_OPENAI_MODEL=from-dotenv\nCOPILOT_LLM=openai\n")
    assert Settings().openai_model == "from-dotenv"
    assert Settings().llm == "openai"
    monkeypatch.setenv("COPILOT_OPENAI_MODEL", "from-env")
    assert Settings().openai_model == "from-env"
    assert Settings(openai_model="from-kwargs").openai_model == "from-kwargs"
    assert Settings().llm == "openai"  # untouched keys still come from .env


def test_openai_api_key_read_from_standard_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    key = Settings().openai_api_key
    assert key is not None and key.get_secret_value() == "sk-test-1234567890"
    shown = Settings().masked()["openai_api_key"]
    assert "1234567" not in shown and shown.startswith("sk-")


def test_invalid_value_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COPILOT_LLM", "gpt-banana")
    with pytest.raises(ConfigError, match="COPILOT_LLM"):
        load_settings()


def test_database_password_is_masked() -> None:
    s = Settings(database_url="postgresql+psycopg://shop:hunter2@db.internal/shop")
    assert "hunter2" not in s.masked()["database_url"]
    assert "db.internal" in s.masked()["database_url"]


def test_config_command_prints_effective_settings_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COPILOT_OPENAI_API_KEY", "sk-very-secret-value")
    monkeypatch.setenv("COPILOT_LLM", "scripted")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "very-secret" not in out
    assert "scripted" in out and "home" in out


def test_cli_config_error_is_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COPILOT_LLM", "nope")
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "COPILOT_LLM" in err
    with pytest.raises(ConfigError, match="COPILOT_LLM"):
        main(["--debug", "config"])
