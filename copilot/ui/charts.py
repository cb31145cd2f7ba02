"""Chart specifications as Gradio native plot updates (one line and one bar component)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from copilot.ui.views import ChartSpec


def plot_updates(spec: ChartSpec | None) -> tuple[Any, Any]:
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
        "caption": spec.caption or None,
        "visible": True,
    }
    if spec.kind == "line":
        return gr.LinePlot(**common), gr.update(visible=False)
    # Keep the tool's order (best first) instead of the plot's alphabetical default.
    # Bars start at zero so their heights compare honestly.
    low = min(0.0, float(spec.frame[spec.y].min()))
    bars = gr.BarPlot(**common, sort=None, x_label_angle=-30, y_lim=[low, None])
    return gr.update(visible=False), bars
