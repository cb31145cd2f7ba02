"""Chats that outlast the page: a session's turns to and from the chat store, and the sidebar
(list, open, rename, delete) with feedback on answers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import gradio as gr

from copilot.audit import tool_calls
from copilot.chats import ChatStore, StoredTurn, title_of
from copilot.ui.events import TurnView
from copilot.ui.session import ChatSession

BROWSER_KEY = "copilot-chats"
"""Where the browser keeps its id and the open chat (localStorage)."""


def stored_turn(view: TurnView, n: int) -> StoredTurn:
    """A finished turn as the chat store keeps it."""
    tools = tool_calls(view.answer) if view.answer is not None else []
    return StoredTurn(n, view.question, view.language, view.messages, view.answer_text(), tools)


def restored_turn(turn: StoredTurn) -> TurnView:
    """A stored turn as the chat shows it (its table, chart and next steps are not kept)."""
    lang = "zh" if turn.language == "zh" else "en"
    return TurnView(turn.messages, lang, question=turn.question, said=turn.answer)


def save(store: ChatStore, state: ChatSession) -> None:
    """Store the session's new turns, creating its chat on the first one."""
    if not state.owner or len(state.turns) <= state.saved:
        return
    if state.chat_id is None or not store.owns(state.owner, state.chat_id):
        state.chat_id = store.create(state.owner, title_of(state.turns[0].question))
        state.saved = 0
    fresh = [stored_turn(view, n) for n, view in enumerate(state.turns) if n >= state.saved]
    store.save_turns(state.owner, state.chat_id, fresh)
    state.saved = len(state.turns)


def opened(store: ChatStore, owner: str, chat_id: str | None) -> ChatSession:
    """The session of ``owner``'s chat ``chat_id`` (a new one when it is not theirs)."""
    turns = store.turns(owner, chat_id) if chat_id else []
    if not turns:
        return ChatSession(owner=owner)
    return ChatSession(
        turns=[restored_turn(t) for t in turns], owner=owner, chat_id=chat_id, saved=len(turns)
    )


def owner_of(request: gr.Request, browser: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """Whose chats the page shows: the login name, else the browser's own random id (made on
    its first visit); and the browser state to keep."""
    kept = dict(browser or {})
    if not kept.get("client"):
        kept["client"] = secrets.token_hex(12)
    if request.username:
        return f"user:{request.username}", kept
    return f"browser:{kept['client']}", kept


def rating_of(liked: bool | str | None) -> int | None:
    """A like event's value as a stored rating (1, -1, or None when it was taken back)."""
    if liked is True or liked == "Like":
        return 1
    if liked is False or liked == "Dislike":
        return -1
    return None


@dataclass(frozen=True)
class Sidebar:
    """The history controls (components of the page)."""

    browser: gr.BrowserState
    chats: gr.Radio
    title: gr.Textbox
    rename: gr.Button
    remove: gr.Button


def sidebar_updates(
    store: ChatStore, state: ChatSession, browser: dict[str, Any] | None
) -> list[Any]:
    """The sidebar after a change, from one read of the chat list: the owner's chats with the
    open one selected, the open chat's title (empty for a new chat), and the browser state
    with the open chat."""
    chats = store.chats(state.owner) if state.owner else []
    title = next((c.title for c in chats if c.id == state.chat_id), "")
    return [
        gr.update(choices=[(c.title, c.id) for c in chats], value=state.chat_id),
        gr.update(value=title),
        {**(browser or {}), "open": state.chat_id},
    ]
