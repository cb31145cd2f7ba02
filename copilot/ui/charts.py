"""Chart specifications as Gradio native plot updates (one line and one bar component)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from copilot.ui.i18n import Language, text
from copilot.ui.views import ChartSpec


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def described(spec: ChartSpec, lang: Language) -> str:
    """The chart in one line of text (its text alternative): what it shows and its extremes."""
    frame = spec.frame.dropna(subset=[spec.y])
    if frame.empty:
        return spec.title
    values = frame[spec.y].astype(float).reset_index(drop=True)
    labels = frame[spec.x].reset_index(drop=True)
    top, bottom = int(values.to_numpy().argmax()), int(values.to_numpy().argmin())
    key = "alt_bar" if spec.kind == "bar" else "alt_line"
    return text(
        key,
        lang,
        title=spec.title,
        n=len(frame),
        first=labels.iloc[0],
        last=labels.iloc[-1],
        high=labels.iloc[top],
        high_y=_figure(float(values.iloc[top])),
        low=labels.iloc[bottom],
        low_y=_figure(float(values.iloc[bottom])),
    )


def plot_updates(spec: ChartSpec | None, lang: Language = "en") -> tuple[Any, Any]:
    """Updates for the (line plot, bar plot) pair: the one that fits is shown, the other hidden.

    Two components because a native plot's kind is fixed; swapping visibility is cheaper than
    re-rendering the layout.
    """
    if spec is None:
        return gr.update(visible=False), gr.update(visible=False)
    common: dict[str, Any] = {
        "value": spec.frame,
        "x": spec.x,
        "y": spec.y,
        "title": spec.title,
        # The one-line description is the chart's text alternative, shown to everyone.
        "caption": "\n".join(c for c in (described(spec, lang), spec.caption) if c),
        "visible": True,
    }
    if spec.kind == "line":
        return gr.LinePlot(**common), gr.update(visible=False)
    # Keep the tool's order (best first) instead of the plot's alphabetical default.
    # Bars start at zero so their heights compare honestly.
    low = min(0.0, float(spec.frame[spec.y].min()))
    bars = gr.BarPlot(**common, sort=None, x_label_angle=-30, y_lim=[low, None])
    return gr.update(visible=False), bars
