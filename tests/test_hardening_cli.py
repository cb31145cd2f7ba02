"""Commands a user runs never end in a traceback or lose their work (issue 17)."""

from __future__ import annotations

import socket

import pytest

from copilot.cli import main
from tools import ToolContext


@pytest.mark.endpoint
def test_plan_is_printed_when_the_model_server_is_down(
    demo_ctx: ToolContext, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    monkeypatch.setenv("COPILOT_HOME", str(demo_ctx.settings.home_dir))
    monkeypatch.setenv("COPILOT_LLM", "openai")
    monkeypatch.setenv("COPILOT_OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("COPILOT_OPENAI_API_KEY", "test")
    status = main(
        ["plan", "win back lapsed customers", "--budget", "2000", "--narrative"], context=demo_ctx
    )
    out, err = capsys.readouterr()
    assert status == 0
    assert "Budget" in out or "budget" in out  # the computed plan itself
    assert "note: no summary" in err and "cannot be reached" in err
    assert "Traceback" not in out + err
