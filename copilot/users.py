"""Who may use the web UI: names with scrypt-hashed passwords in ``$COPILOT_HOME/users.json``.

Passwords are never stored: each user has a random 16-byte salt and the scrypt hash of the
password with that salt, plus the cost parameters (so they can be raised later without
invalidating existing users). The file is written atomically, readable by its owner only, and
re-read when it changes, so ``copilot users add/remove`` takes effect on a running server.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copilot.core.errors import ConfigError, InputError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""Login names: no spaces, no '@' (an audit export keeps names, so they must not be e-mails)."""
MIN_PASSWORD = 8
_COST = {"n": 2**15, "r": 8, "p": 1}
"""About 0.1 s and 32 MB per check on one core: slow for guessing, fine for a login."""
_MAXMEM = 64 * 1024 * 1024


@dataclass(frozen=True)
class User:
    """One login: its name and when it was added (UTC, ISO 8601)."""

    name: str
    created: str


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY: dict[str, Any] = {"salt": _b64(b"\0" * 16), "hash": _b64(b"\0" * 32), **_COST}


class UserStore:
    """The users file; every method re-reads it when it changed on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._records: dict[str, dict[str, Any]] = {}

    def _load(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._records = None, {}
                return {}
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    records = dict(data["users"])
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    raise ConfigError(
                        f"{self.path} is not a readable users file ({exc}); fix or delete it "
                        "and add users again with `copilot users add NAME`"
                    ) from exc
                self._stamp, self._records = stamp, records
            return self._records

    def users(self) -> list[User]:
        """Every user, by name."""
        return [User(name, str(r.get("created", ""))) for name, r in sorted(self._load().items())]

    def exists(self, name: str) -> bool:
        """Whether ``name`` may log in (cheap: a ``stat`` unless the file changed)."""
        return name in self._load()

    def has_users(self) -> bool:
        """Whether anyone may log in."""
        return bool(self._load())

    def add(self, name: str, password: str) -> bool:
        """Add ``name`` or set its password; True when the user is new."""
        if not NAME.fullmatch(name):
            raise InputError(
                f"invalid user name {name!r}: use 1-64 letters, digits, '.', '_' or '-' "
                "(starting with a letter or digit)"
            )
        if len(password) < MIN_PASSWORD:
            raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
        salt = secrets.token_bytes(16)
        records = dict(self._load())
        new = name not in records
        records[name] = {
            "salt": _b64(salt),
            "hash": _b64(_hash(password, salt, **_COST)),
            **_COST,
            "created": datetime.now(UTC).isoformat(timespec="seconds")
            if new
            else records[name].get("created", ""),
        }
        self._save(records)
        return new

    def remove(self, name: str) -> bool:
        """Remove ``name``; False when there was no such user."""
        records = dict(self._load())
        if records.pop(name, None) is None:
            return False
        self._save(records)
        return True

    def verify(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s (constant time in the hash comparison)."""
        record = self._load().get(name)
        known = record is not None
        record = record or _DUMMY
        try:
            salt = base64.b64decode(record["salt"])
            expected = base64.b64decode(record["hash"])
            digest = _hash(password, salt, int(record["n"]), int(record["r"]), int(record["p"]))
        except (KeyError, ValueError, TypeError):
            return False
        return hmac.compare_digest(digest, expected) and known

    def _save(self, records: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        text = json.dumps({"version": 1, "users": records}, indent=1, sort_keys=True)
        # Created owner-only, then renamed over the old file: never a half-written users file.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(temporary, self.path)


def read_password(from_stdin: bool) -> str:
    """A new password: the first line of stdin (for scripts), or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("no terminal to type a password in; pipe it with --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ; nothing was changed")
    return first


def os_user() -> str:
    """The operating-system user running this process (the CLI's name in the audit)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        return f"uid:{os.getuid()}"
