"""What the page says while it waits: the step a turn is at with its elapsed seconds, and the
model's loading state (pure functions; the seconds tick in the browser, see ``TICKER``)."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

from copilot.agent.events import (
    Answered,
    ArgumentsChanged,
    Checked,
    Event,
    Step,
    Token,
    ToolCalled,
    ToolFailed,
    ToolResult,
)
from copilot.ui.i18n import Language, text

TICKER = """
<script>
// The step line's seconds count up in the page: the server sends the elapsed seconds when it
// renders the line, and the page adds the time since it received it (no clock is compared).
setInterval(() => {
  for (const el of document.querySelectorAll("[data-elapsed]")) {
    if (el.dataset.seenFor !== el.dataset.elapsed + el.dataset.label) {
      el.dataset.seenFor = el.dataset.elapsed + el.dataset.label;
      el.dataset.seenAt = String(Date.now());
    }
    const s = Number(el.dataset.elapsed) + (Date.now() - Number(el.dataset.seenAt)) / 1000;
    el.textContent = el.dataset.label + " · " + Math.floor(s) + " s";
  }
}, 500);
// On a narrow screen (a phone) the chat history starts closed: open, it covers the chat.
const closeNarrow = setInterval(() => {
  const side = document.querySelector("#history");
  if (!side) return;
  clearInterval(closeNarrow);
  if (window.innerWidth < 900 && side.classList.contains("open")) {
    side.querySelector(".toggle-button")?.click();
  }
}, 200);
// Two Gradio buttons carry only an icon: give them a name screen readers can say.
const zh = (navigator.language || "").toLowerCase().startsWith("zh");
const names = [
  ["#plan-start button", zh ? "在日历中选择日期" : "Pick a date in the calendar"],
  ["#chat button", zh ? "展开或收起详情" : "Show or hide the details"],
];
const nameButtons = () => {
  for (const [selector, name] of names) {
    for (const b of document.querySelectorAll(selector)) {
      if (!b.getAttribute("aria-label") && !b.innerText.trim()) b.setAttribute("aria-label", name);
    }
  }
};
// Gradio may add this script after the page has loaded: watch from now on, either way.
const watch = () =>
  new MutationObserver(nameButtons).observe(document.body, { childList: true, subtree: true });
if (document.body) watch();
else window.addEventListener("DOMContentLoaded", watch);
</script>
"""
"""Added to the page's head: keeps every step line's seconds current between updates, starts
the history sidebar closed on a phone, and names Gradio's icon-only buttons."""


def step_label(events: Sequence[Event], lang: Language, loading: bool = False) -> str:
    """Where a turn is, in words: loading the model, choosing a tool, running one, reading its
    result, writing or checking the answer."""
    if loading:
        return text("step_loading", lang)
    for event in reversed(events):
        if isinstance(event, Answered):
            return ""
        if isinstance(event, Checked):
            return text("step_checking", lang)
        if isinstance(event, Token):
            return text("step_writing", lang)
        if isinstance(event, ToolCalled):
            return text("step_running", lang, tool=event.name)
        if isinstance(event, ArgumentsChanged):
            return text("step_running", lang, tool=event.tool)
        if isinstance(event, ToolResult | ToolFailed):
            return text("step_reading", lang, tool=event.name)
        if isinstance(event, Step):
            return text("step_choosing", lang, n=event.n)
    return text("step_choosing", lang, n=1)


def step_html(label: str, started: float, now: float | None = None) -> str:
    """The step line (empty when the turn is over), with the seconds since ``started``
    (``time.monotonic`` values)."""
    if not label:
        return ""
    elapsed = max(0.0, (time.monotonic() if now is None else now) - started)
    shown = html.escape(label)
    return (
        f"<span class='step-line' role='status' data-label='{shown}' "
        f"data-elapsed='{elapsed:.1f}'>{shown} · {int(elapsed)} s</span>"
    )


def model_line(state: str, seconds: float, name: str, error: str, lang: Language) -> str:
    """The model's loading state for the page: loading (with seconds), ready, or failed."""
    if state == "ready":
        return text("model_ready", lang, name=name, seconds=f"{seconds:.0f}")
    if state == "failed":
        return text("model_failed", lang, error=error)
    return text("model_loading", lang, name=name, seconds=f"{seconds:.0f}")
