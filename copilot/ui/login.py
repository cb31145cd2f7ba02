"""Who may open the web UI: the bind check at start-up, the login page and the gate.

The rule: on a loopback address with no users the page is open (one person on their own
machine). Anywhere else the server refuses to start without users. Whenever the server starts
with users, on any address, every route needs a login: the page, Gradio's API (``/config``,
``/gradio_api/...``, including routes Gradio itself leaves open such as heartbeats), the
passage viewer and websockets. The gate is one ASGI middleware in front of everything, so a
route added later is protected without remembering to.
"""

from __future__ import annotations

import html
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from copilot.core.errors import ConfigError
from copilot.users import UserStore

COOKIE = "copilot-session"
LOGIN_ROUTE = "/login"
LOGOUT_ROUTE = "/logout"
SESSION_SECONDS = 12 * 3600
FAILURES_ALLOWED = 10
FAILURE_WINDOW_SECONDS = 300.0
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine (0.0.0.0 and :: do not)."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to any interface


def login_required(host: str, users: UserStore) -> bool:
    """Whether the page needs a login; raises ConfigError for an open page off loopback."""
    if users.has_users():
        return True
    if is_loopback(host):
        return False
    raise ConfigError(
        f"the web UI would be open to anyone who can reach {host}: add a user first with "
        "`copilot users add NAME` (or serve on 127.0.0.1)"
    )


@dataclass(frozen=True)
class _Session:
    user: str
    expires: float


class Sessions:
    """Logged-in browsers (in memory: a restart asks everyone to log in again)."""

    def __init__(self, users: UserStore) -> None:
        self.users = users
        self._by_token: dict[str, _Session] = {}
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def user(self, token: str | None) -> str | None:
        """The user of a session cookie; None when unknown, expired or the user was removed."""
        if not token:
            return None
        with self._lock:
            session = self._by_token.get(token)
        if session is None or session.expires < time.time():
            return None
        return session.user if self.users.exists(session.user) else None

    def login(self, name: str, password: str) -> str | None:
        """A new session token for a correct name and password, else None."""
        if not self.users.verify(name, password):
            return None
        now = time.time()
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._by_token = {t: s for t, s in self._by_token.items() if s.expires > now}
            self._by_token[token] = _Session(name, now + SESSION_SECONDS)
        return token

    def logout(self, token: str | None) -> None:
        """End one session."""
        with self._lock:
            self._by_token.pop(token or "", None)

    def throttled(self, client: str) -> bool:
        """Whether ``client`` failed too often lately (guessing passwords)."""
        with self._lock:
            recent = self._failures.get(client)
            cutoff = time.monotonic() - FAILURE_WINDOW_SECONDS
            while recent and recent[0] < cutoff:
                recent.popleft()
            if not recent:
                self._failures.pop(client, None)
                return False
            return len(recent) >= FAILURES_ALLOWED

    def failed(self, client: str) -> None:
        """Count a failed login from ``client``."""
        with self._lock:
            self._failures.setdefault(client, deque(maxlen=FAILURES_ALLOWED)).append(
                time.monotonic()
            )


class LoginGate:
    """ASGI middleware: without a valid session only the login page answers.

    A browser asking for a page is sent to the login page; any other request gets 401, and a
    websocket is closed before it opens.
    """

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass logged-in requests through; turn the rest away."""
        if scope["type"] not in ("http", "websocket") or scope["path"] in _OPEN:
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if self.sessions.user(connection.cookies.get(COOKIE)) is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if scope.get("method") in ("GET", "HEAD") and "text/html" in connection.headers.get(
            "accept", ""
        ):
            target = quote(scope["path"], safe="/")
            response = RedirectResponse(f"{LOGIN_ROUTE}?next={target}", status_code=303)
        else:
            response = JSONResponse({"detail": "login required"}, status_code=401)
        await response(scope, receive, send)


_OPEN = {LOGIN_ROUTE, LOGIN_ROUTE + "/", LOGOUT_ROUTE, "/favicon.ico"}


def session_user(sessions: Sessions) -> Callable[[Request], str | None]:
    """Gradio's ``auth_dependency``: the logged-in name, which handlers get as
    ``gr.Request.username``."""

    def user(request: Request) -> str | None:
        return sessions.user(request.cookies.get(COOKIE))

    return user


def _safe_next(target: str) -> str:
    # Only a path on this server: never an open redirect to another site.
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _page(next_url: str, error: str = "") -> str:
    note = f"<p class='error'>{html.escape(error)}</p>" if error else ""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Marketing copilot · 登录</title>"
        "<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}"
        "label,input,button{display:block;width:100%;margin:.4rem 0;font-size:1rem}"
        "input{padding:.4rem;box-sizing:border-box}button{padding:.5rem;background:#f97316;"
        "color:#fff;border:0}.error{color:#b91c1c}</style></head><body>"
        "<h1>Marketing copilot · 营销助手</h1>"
        f"{note}<form method='post' action='{LOGIN_ROUTE}'>"
        f"<input type='hidden' name='next' value='{html.escape(next_url, quote=True)}'>"
        "<label>User · 用户名<input name='username' autocomplete='username' required "
        "autofocus></label><label>Password · 密码<input name='password' type='password' "
        "autocomplete='current-password' required></label>"
        "<button type='submit'>Sign in · 登录</button></form></body></html>"
    )


def add_login(api: FastAPI, sessions: Sessions) -> None:
    """The login and logout routes and the gate in front of every route of ``api``."""

    @api.get(LOGIN_ROUTE, response_class=HTMLResponse)
    def login_page(next: str = "/") -> HTMLResponse:
        return HTMLResponse(_page(_safe_next(next)))

    # Form fields as Gradio's login has them, so ``gradio_client.Client(url, auth=...)`` works.
    @api.post(LOGIN_ROUTE)
    @api.post(LOGIN_ROUTE + "/")
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        browser = "text/html" in request.headers.get("accept", "")
        client = request.client.host if request.client else "unknown"
        if sessions.throttled(client):
            message = "Too many failed logins; wait a few minutes."
            if browser:
                return HTMLResponse(_page(_safe_next(next), message), status_code=429)
            return JSONResponse({"detail": message}, status_code=429)
        token = sessions.login(username.strip(), password)
        if token is None:
            sessions.failed(client)
            if browser:
                page = _page(_safe_next(next), "Wrong user or password. 用户名或密码错误。")
                return HTMLResponse(page, status_code=401)
            return JSONResponse({"detail": "wrong user or password"}, status_code=401)
        response: Response = (
            RedirectResponse(_safe_next(next), status_code=303)
            if browser
            else JSONResponse({"success": True})
        )
        response.set_cookie(
            COOKIE,
            token,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @api.get(LOGOUT_ROUTE)
    def logout(request: Request) -> RedirectResponse:
        sessions.logout(request.cookies.get(COOKIE))
        response = RedirectResponse(LOGIN_ROUTE, status_code=303)
        response.delete_cookie(COOKIE)
        return response

    api.add_middleware(LoginGate, sessions=sessions)
