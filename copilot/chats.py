"""Web chats kept in the shop database: list, rename, delete, their turns, feedback on answers.

A chat belongs to an owner (the login name, or a random id the browser keeps) and only that
owner reads or changes it. Each turn is stored as it was shown (its chat messages), with the
answer's text (what the model sees as history on the next question) and the tool calls, so a
reload shows the same conversation and an evaluator can turn a thumbs-down into a test case.
Every change is one short transaction.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, func, select, update

from copilot.core.errors import InputError
from copilot.shop import schema
from copilot.shop.store import utc_now

TITLE_CHARS = 60
"""A new chat is titled with the start of its first question."""


@dataclass(frozen=True)
class ChatSummary:
    """One line of the chat list."""

    id: str
    title: str
    updated_at: datetime
    turns: int


@dataclass(frozen=True)
class StoredTurn:
    """One question of a chat as it was shown, with its feedback."""

    n: int
    question: str
    language: str
    messages: list[dict[str, Any]]
    answer: str | None
    """The answer's text; None when the turn was stopped or failed."""
    tools: list[dict[str, Any]] = field(default_factory=list)
    asked_at: datetime = field(default_factory=utc_now)
    rating: int | None = None
    comment: str | None = None


@dataclass(frozen=True)
class RatedTurn:
    """A rated turn with the questions before it in its chat (for a draft test case)."""

    chat_id: str
    turn: StoredTurn
    earlier: list[str]


def title_of(question: str) -> str:
    """A chat's default title: its first question, cut at a word near ``TITLE_CHARS``."""
    flat = " ".join(question.split())
    if len(flat) <= TITLE_CHARS:
        return flat
    cut = flat[:TITLE_CHARS].rsplit(" ", 1)[0]
    return (cut if len(cut) > TITLE_CHARS // 2 else flat[:TITLE_CHARS]) + "…"


def _turn(row: Any) -> StoredTurn:
    return StoredTurn(
        n=row.n,
        question=row.question,
        language=row.language,
        messages=json.loads(row.messages),
        answer=row.answer,
        tools=json.loads(row.tools or "[]"),
        asked_at=row.asked_at,
        rating=row.rating,
        comment=row.comment,
    )


class ChatStore:
    """The ``chats`` and ``chat_turns`` tables of one shop database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, owner: str, title: str) -> str:
        """A new empty chat of ``owner``; returns its id."""
        chat_id = secrets.token_hex(8)
        now = utc_now()
        with self.engine.begin() as conn:
            conn.execute(
                schema.chats.insert().values(
                    id=chat_id, owner=owner, title=title[:200], created_at=now, updated_at=now
                )
            )
        return chat_id

    def chats(self, owner: str) -> list[ChatSummary]:
        """``owner``'s chats, the most recently used first."""
        c, t = schema.chats, schema.chat_turns
        query = (
            select(c.c.id, c.c.title, c.c.updated_at, func.count(t.c.n))
            .select_from(c.outerjoin(t, t.c.chat_id == c.c.id))
            .where(c.c.owner == owner)
            .group_by(c.c.id, c.c.title, c.c.updated_at)
            .order_by(c.c.updated_at.desc(), c.c.id)
        )
        with self.engine.connect() as conn:
            return [ChatSummary(*row) for row in conn.execute(query)]

    def owns(self, owner: str, chat_id: str) -> bool:
        """Whether ``chat_id`` exists and is ``owner``'s."""
        c = schema.chats
        with self.engine.connect() as conn:
            found = conn.execute(
                select(c.c.id).where(and_(c.c.id == chat_id, c.c.owner == owner))
            ).first()
        return found is not None

    def _check(self, owner: str, chat_id: str) -> None:
        if not self.owns(owner, chat_id):
            raise InputError(f"no chat {chat_id!r} of this user")

    def rename(self, owner: str, chat_id: str, title: str) -> None:
        """Give ``chat_id`` a new title (blank titles are refused)."""
        title = " ".join(title.split())
        if not title:
            raise InputError("a chat title cannot be empty")
        self._check(owner, chat_id)
        with self.engine.begin() as conn:
            conn.execute(
                update(schema.chats).where(schema.chats.c.id == chat_id).values(title=title[:200])
            )

    def delete(self, owner: str, chat_id: str) -> None:
        """Remove ``chat_id`` and its turns."""
        self._check(owner, chat_id)
        with self.engine.begin() as conn:
            conn.execute(delete(schema.chat_turns).where(schema.chat_turns.c.chat_id == chat_id))
            conn.execute(delete(schema.chats).where(schema.chats.c.id == chat_id))

    def turns(self, owner: str, chat_id: str) -> list[StoredTurn]:
        """The turns of ``chat_id`` in order (empty when it is not ``owner``'s)."""
        if not self.owns(owner, chat_id):
            return []
        t = schema.chat_turns
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.chat_id == chat_id).order_by(t.c.n))
            return [_turn(row) for row in rows]

    def save_turns(self, owner: str, chat_id: str, turns: list[StoredTurn]) -> None:
        """Store ``turns`` (replacing any stored turn from the first one's position on: a
        regenerated or edited question replaces what followed it)."""
        self._check(owner, chat_id)
        if not turns:
            return
        t = schema.chat_turns
        first = min(turn.n for turn in turns)
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(and_(t.c.chat_id == chat_id, t.c.n >= first)))
            for turn in turns:
                conn.execute(
                    t.insert().values(
                        chat_id=chat_id,
                        n=turn.n,
                        question=turn.question,
                        language=turn.language,
                        messages=json.dumps(turn.messages, ensure_ascii=False, default=str),
                        answer=turn.answer,
                        tools=json.dumps(turn.tools, ensure_ascii=False, default=str),
                        asked_at=turn.asked_at,
                        rating=turn.rating,
                        comment=turn.comment,
                    )
                )
            conn.execute(
                update(schema.chats)
                .where(schema.chats.c.id == chat_id)
                .values(updated_at=utc_now())
            )

    def forget_from(self, owner: str, chat_id: str, n: int) -> None:
        """Drop the turns from position ``n`` on (before a regenerate or an edit)."""
        self._check(owner, chat_id)
        t = schema.chat_turns
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(and_(t.c.chat_id == chat_id, t.c.n >= n)))

    def rate(
        self, owner: str, chat_id: str, n: int, rating: int | None, comment: str | None = None
    ) -> None:
        """Record a thumbs up (1), down (-1) or none on turn ``n``; a comment is kept with
        the rating (None leaves a stored comment as it is)."""
        if rating not in (1, -1, None):
            raise InputError(f"a rating is 1, -1 or None, not {rating!r}")
        self._check(owner, chat_id)
        t = schema.chat_turns
        values: dict[str, Any] = {"rating": rating}
        if comment is not None:
            values["comment"] = comment.strip() or None
        with self.engine.begin() as conn:
            done = conn.execute(
                update(t).where(and_(t.c.chat_id == chat_id, t.c.n == n)).values(**values)
            )
        if done.rowcount == 0:
            raise InputError(f"chat {chat_id!r} has no turn {n}")

    def rated(self, rating: int, since: datetime | None = None) -> list[RatedTurn]:
        """Every turn rated ``rating`` (all owners), oldest first, with its chat's earlier
        questions."""
        t = schema.chat_turns
        query = select(t).where(t.c.rating == rating)
        if since is not None:
            query = query.where(t.c.asked_at >= since)
        out = []
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(t.c.asked_at, t.c.chat_id, t.c.n)).all():
                earlier = conn.execute(
                    select(t.c.question)
                    .where(and_(t.c.chat_id == row.chat_id, t.c.n < row.n))
                    .order_by(t.c.n)
                ).scalars()
                out.append(RatedTurn(row.chat_id, _turn(row), list(earlier)))
        return out
