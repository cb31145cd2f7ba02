"""Who may open the web UI (issue 17): no open page off loopback, a login in front of the page
and its API, passwords stored only as hashes."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from copilot.core.errors import ConfigError
from copilot.core.settings import Settings
from copilot.ui.login import FAILURES_ALLOWED, Sessions, is_loopback, login_required
from copilot.ui.runtime import Runtime
from copilot.users import UserStore

PASSWORD = "correct horse battery"
QUESTION = "What sample size does my A/B test need to detect a 10% lift from a 5% baseline?"


@pytest.fixture
def users(settings: Settings) -> UserStore:
    store = UserStore(settings.users_path)
    store.add("ana", PASSWORD)
    return store


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "copilot.example.com"])
def test_off_loopback_without_users_the_server_refuses_to_start(
    host: str, settings: Settings, users: UserStore
) -> None:
    nobody = UserStore(settings.home_dir / "nobody.json")
    with pytest.raises(ConfigError, match="copilot users add NAME"):
        login_required(host, nobody)
    assert not is_loopback(host)
    assert login_required(host, users)  # with a user it starts, behind the login


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_is_open_without_users_and_behind_the_login_with_them(
    host: str, settings: Settings, users: UserStore
) -> None:
    assert is_loopback(host)
    assert not login_required(host, UserStore(settings.home_dir / "nobody.json"))
    assert login_required(host, users)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_app_py_refuses_a_public_host_without_users_before_binding(
    how: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import uvicorn

    import app
    from copilot.ui import runtime

    def never(*args: object, **kwargs: object) -> None:
        pytest.fail("the server got as far as binding")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.setattr(runtime.Runtime, "__init__", never)
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "home"))
    argv = ["--host", "0.0.0.0"] if how == "flag" else []
    if how == "env":
        monkeypatch.setenv("COPILOT_HOST", "0.0.0.0")
    assert app.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "`copilot users add NAME`" in err


def test_passwords_are_stored_as_salted_hashes_only(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from copilot.cli import main

    monkeypatch.setenv("COPILOT_HOME", str(settings.home_dir))
    for name in ("ana", "bo"):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        assert main(["users", "add", name, "--password-stdin"]) == 0
    path = settings.users_path
    raw = path.read_text(encoding="utf-8")
    assert PASSWORD not in raw and PASSWORD.encode().hex() not in raw
    records = json.loads(raw)["users"]
    assert records["ana"]["salt"] != records["bo"]["salt"]  # same password, different hashes
    assert records["ana"]["hash"] != records["bo"]["hash"]
    assert path.stat().st_mode & 0o077 == 0  # owner only
    assert capsys.readouterr().out.startswith("added ana")
    store = UserStore(path)
    assert store.verify("ana", PASSWORD)
    assert not store.verify("ana", PASSWORD + "!") and not store.verify("cy", PASSWORD)

    assert main(["users", "list"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["ana", "bo"]
    assert main(["users", "remove", "bo"]) == 0
    assert main(["users", "remove", "bo"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "cy", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "cy@example.com", "--password-stdin"]) == 2
    assert [u.name for u in UserStore(path).users()] == ["ana"]
    err = capsys.readouterr().err
    assert "no user 'bo'" in err and "at least 8 characters" in err and "invalid user name" in err


def test_the_page_and_its_api_need_a_login(settings: Settings, users: UserStore) -> None:
    from copilot.ui.server import create_server

    runtime = Runtime(settings.model_copy(update={"llm": "scripted", "scope_guard": False}))
    client = TestClient(create_server(runtime, Sessions(users)))
    browser = {"accept": "text/html,application/xhtml+xml"}

    page = client.get("/", headers=browser, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    assert client.get("/login").status_code == 200
    # Gradio's API (including routes Gradio leaves open itself) and our own passage viewer.
    for path in ("/", "/config", "/gradio_api/info", "/gradio_api/heartbeat/x", "/passage/a"):
        assert client.get(path).status_code == 401, path
    joined = client.post("/gradio_api/queue/join", json={"data": [QUESTION], "fn_index": 1})
    assert joined.status_code == 401
    assert client.post("/gradio_api/call/respond", json={"data": [QUESTION]}).status_code == 401

    wrong = client.post("/login", data={"username": "ana", "password": "guess"})
    assert wrong.status_code == 401 and "copilot-session" not in client.cookies
    right = client.post(
        "/login",
        data={"username": "ana", "password": PASSWORD, "next": "https://evil.example/"},
        headers=browser,
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/"  # no open redirect
    assert "copilot-session" in client.cookies
    shown = client.get("/")
    assert shown.status_code == 200 and "Marketing copilot" in shown.text
    assert client.get("/config").status_code == 200
    assert client.get("/gradio_api/info").status_code == 200

    users.remove("ana")  # a removed user's open session ends at once
    assert client.get("/config").status_code == 401
    users.add("ana", PASSWORD)
    client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert client.get("/config").status_code == 200
    client.get("/logout")
    assert client.get("/config").status_code == 401


def test_password_guessing_is_slowed_down(settings: Settings, users: UserStore) -> None:
    sessions = Sessions(users)
    for _ in range(FAILURES_ALLOWED):
        assert sessions.login("ana", "guess") is None
        sessions.failed("10.0.0.9")
    assert sessions.throttled("10.0.0.9") and not sessions.throttled("10.0.0.10")


@pytest.fixture
def served(settings: Settings, users: UserStore) -> Iterator[tuple[str, Runtime]]:
    """The UI behind the login on a free loopback port (real uvicorn, scripted backend)."""
    import uvicorn

    from copilot.ui.server import create_server

    runtime = Runtime(settings.model_copy(update={"llm": "scripted", "scope_guard": False}))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_server(runtime, Sessions(users)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)  # polling for a condition
    yield f"http://127.0.0.1:{port}/", runtime
    server.should_exit = True
    thread.join(timeout=30)


def test_api_clients_need_the_login_and_the_audit_names_the_web_user(
    served: tuple[str, Runtime],
) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError
    from sqlalchemy import select

    from copilot.shop import schema

    url, runtime = served
    with pytest.raises(AuthenticationError, match="credentials were not provided"):
        Client(url, verbose=False)
    with pytest.raises(AuthenticationError, match="Invalid credentials"):
        Client(url, auth=("ana", "guess"), verbose=False)
    client = Client(url, auth=("ana", PASSWORD), verbose=False)
    try:
        client.predict(QUESTION, api_name="/respond")
    finally:
        client.close()
    runtime.audit.flush()
    with runtime.shop.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(schema.audit))]
    assert [(r["user_name"], r["channel"], r["question"], r["verdict"]) for r in rows] == [
        ("ana", "web", QUESTION, "ok")
    ]
    assert json.loads(rows[0]["tools"])[0]["name"] == "ab_test_sample_size"


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_a_browser_logs_in_asks_and_signs_out(served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import sync_playwright
    from sqlalchemy import text

    url, runtime = served
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        try:
            page = browser.new_page()
            page.goto(url)
            assert page.url.endswith("/login?next=/")
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", "guess")
            page.click("button[type=submit]")
            assert "Wrong user or password" in page.content()
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("#question textarea", timeout=60_000)
            page.locator("#signed-in a").wait_for(timeout=30_000)  # filled by a load event
            assert page.locator("#signed-in").inner_text().startswith("ana")
            page.locator("#question textarea").fill(QUESTION)
            page.locator("#send").click()  # the page's own event stream carries the cookie
            page.locator("#chat").get_by_text("31,218", exact=False).first.wait_for(timeout=60_000)
            page.locator("#signed-in a").click()
            page.wait_for_selector("input[name=username]", timeout=30_000)
        finally:
            browser.close()
    runtime.audit.flush()
    with runtime.shop.engine.connect() as conn:
        assert conn.execute(text("SELECT user_name, channel FROM audit")).all() == [("ana", "web")]
