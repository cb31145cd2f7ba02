"""The shop and settings tabs: figures, data uploads with progress, the column picker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from copilot.core.errors import CopilotError, InputError, MissingColumns, ToolError
from copilot.shop import FORMATS, Plausible, ingest_files
from copilot.shop.batch import serving_words
from copilot.shop.fields import KINDS
from copilot.shop.platforms import PLATFORMS
from copilot.ui.charts import plot_updates
from copilot.ui.column_map import MAX_FIELDS, ColumnQuestion, field_label, guess
from copilot.ui.i18n import Label, Language, page_language, text
from copilot.ui.ingest_view import summary_lines
from copilot.ui.runtime import Runtime
from copilot.ui.shop_view import shop_kpis, top_products
from copilot.ui.views import segment_chart
from tools.profiling.api import segment_overview

KIND_CHOICES = ["auto", *KINDS]
PROGRESS = gr.Progress()
"""Gradio recognises a progress parameter by this default and passes a fresh tracker per call."""


def shown_error(error: CopilotError, paths: list[Path]) -> str:
    """The error for the page, naming each upload by its file name."""
    # Uploads live under a random temporary folder: name the file as the user knows it.
    message = str(error)
    for path in paths:
        message = message.replace(str(path), path.name)
    return f"✖ {message}"


@dataclass(frozen=True)
class IngestReport:
    """What the page shows after an ingest: the summary or the error, and, when a file's
    columns were not recognised, the question of which of its columns to use."""

    text: str
    question: ColumnQuestion | None = None


def ingest_uploads(
    runtime: Runtime,
    paths: list[Path],
    kind: str,
    fmt: str,
    progress: gr.Progress | None = None,
    *,
    mapping: list[str] | None = None,
    lang: Language = "en",
    keep_email: bool = False,
) -> IngestReport:
    """Ingest the files together, all or nothing; the summary lines, or the precise error
    (nothing written)."""
    if progress is not None:
        progress(0.0, desc=f"{len(paths)} file(s): validating and writing")
    try:
        summaries = ingest_files(
            runtime.shop,
            paths,
            kind=None if kind == "auto" else kind,
            fmt=fmt,
            mapping=mapping,
            show_progress=False,
            plausible=Plausible.of(runtime.settings),
            keep_email=keep_email,
        )
    except MissingColumns as error:
        named = [p.name for p in paths if str(p) in str(error)] or [paths[0].name]
        question = ColumnQuestion.of(error, named[0])
        return IngestReport(question.message(lang), question)
    except CopilotError as error:
        return IngestReport(shown_error(error, paths))
    lines: list[str] = []
    for path, summary in zip(paths, summaries, strict=True):
        head, *details = summary_lines(summary, path.name, lang)
        lines += ["✔ " + head, *(f"- {detail}" for detail in details)]
    return IngestReport("\n".join(lines))


SETTING_ROWS = {
    "en": [
        "backend (COPILOT_LLM)",
        "model",
        "data directory (COPILOT_HOME)",
        "shop database",
        "embedder (COPILOT_EMBEDDER)",
        "knowledge store",
        "grounding check (COPILOT_GROUNDING)",
        "default margin (COPILOT_DEFAULT_MARGIN)",
        "batch scoring (copilot batch)",
    ],
    "zh": [
        "后端（COPILOT_LLM）",
        "模型",
        "数据目录（COPILOT_HOME）",
        "店铺数据库",
        "嵌入模型（COPILOT_EMBEDDER）",
        "知识库存储",
        "数字核对（COPILOT_GROUNDING）",
        "默认毛利率（COPILOT_DEFAULT_MARGIN）",
        "批量评分（copilot batch）",
    ],
}
SETTING_HEADERS = {"en": ["setting", "value"], "zh": ["设置", "值"]}


def settings_table(runtime: Runtime, lang: Language = "en") -> pd.DataFrame:
    """What this process runs with (secrets masked), labelled in ``lang``."""
    shown = runtime.settings.masked()
    values = [
        shown["llm"],
        runtime.model_name(),
        shown["home"],
        shown["database_url"],
        shown["embedder"],
        shown["chroma_url"],
        shown["grounding"],
        shown["default_margin"],
        serving_words(runtime.shop.engine, runtime.shop.version(), lang),
    ]
    labels = SETTING_ROWS["zh" if lang == "zh" else "en"]
    header = SETTING_HEADERS["zh" if lang == "zh" else "en"]
    return pd.DataFrame(list(zip(labels, values, strict=True)), columns=header)


def build_shop_tab(runtime: Runtime, i18n: Label) -> gr.Tab:
    """The shop tab; returns it so the page can refresh it when it is selected."""
    with gr.Tab(i18n("tab_shop"), id="shop") as tab:
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                kpis = gr.Dataframe(label=i18n("kpis"), interactive=False, elem_id="kpis")
                top = gr.Dataframe(
                    label=i18n("top_products"), interactive=False, elem_id="top-products"
                )
            with gr.Column(scale=3):
                line = gr.LinePlot(visible=False)
                bar = gr.BarPlot(visible=False, elem_id="segment-chart", height=300)
                refresh = gr.Button(i18n("refresh"), size="sm")
        with gr.Row(equal_height=False):
            files = gr.File(
                label=i18n("upload_data"),
                file_count="multiple",
                file_types=[".csv", ".parquet"],
                elem_id="data-upload",
            )
            with gr.Column():
                kind = gr.Dropdown(KIND_CHOICES, value="auto", label=i18n("kind"))
                fmt = gr.Dropdown(
                    ["auto", *FORMATS, *PLATFORMS], value="auto", label=i18n("format")
                )
                keep_email = gr.Checkbox(
                    value=False, label=i18n("keep_email"), elem_id="keep-email"
                )
                ingest = gr.Button(i18n("ingest"), variant="primary", elem_id="ingest")
        result = gr.Markdown(elem_id="ingest-result")
        with gr.Group(visible=False, elem_id="column-map") as picker:
            pickers = [
                gr.Dropdown(choices=[], visible=False, elem_id=f"map-{i}")
                for i in range(MAX_FIELDS)
            ]
            remap = gr.Button(i18n("ingest_mapped"), variant="primary", elem_id="ingest-mapped")
        asked = gr.State(None)

    def figures(request: gr.Request) -> list[Any]:
        lang = page_language(request)
        try:
            chart = segment_chart(segment_overview(runtime.ctx), lang)
        except ToolError:  # no orders (with customer ids) yet: figures without segments
            chart = None
        return [
            shop_kpis(runtime.shop).to_frame(lang),
            top_products(runtime.shop),
            *plot_updates(chart, lang),
        ]

    def shown_report(report: IngestReport, lang: Language) -> list[Any]:
        """The result text, the question kept for the mapped ingest, and the pickers."""
        question = report.question
        if question is None:
            return [report.text, None, gr.update(visible=False)] + [
                gr.update(visible=False) for _ in pickers
            ]
        updates = [
            gr.update(
                visible=i < len(question.missing),
                label=field_label(question.missing[i], lang) if i < len(question.missing) else "",
                choices=question.columns,
                value=(
                    guess(question.missing[i], question.kind, question.columns)
                    if i < len(question.missing)
                    else None
                ),
            )
            for i in range(len(pickers))
        ]
        return [report.text, question, gr.update(visible=True), *updates]

    def upload(
        given: list[str] | None,
        kind_in: str,
        fmt_in: str,
        keep: bool,
        request: gr.Request,
        progress: Any = PROGRESS,
    ) -> list[Any]:
        lang = page_language(request)
        if not given:
            return shown_report(IngestReport(text("no_files", lang)), lang)
        paths = [Path(p) for p in given]
        report = ingest_uploads(
            runtime, paths, kind_in, fmt_in, progress, lang=lang, keep_email=keep
        )
        return shown_report(report, lang)

    def upload_mapped(values: dict[Any, Any], request: gr.Request) -> list[Any]:
        lang = page_language(request)
        given, question = values[files], values[asked]
        if not given or question is None:
            return shown_report(IngestReport(text("no_files", lang)), lang)
        try:
            mapping = question.mapping([values[p] for p in pickers], lang)
        except InputError as error:
            return [f"✖ {error}", question, gr.update(visible=True)] + [
                gr.update() for _ in pickers
            ]
        paths = [Path(p) for p in given]
        report = ingest_uploads(
            runtime,
            paths,
            question.kind,
            values[fmt],
            mapping=mapping,
            lang=lang,
            keep_email=values[keep_email],
        )
        return shown_report(report, lang)

    shown = [kpis, top, line, bar]
    answered = [result, asked, picker, *pickers]
    tab.select(figures, outputs=shown)
    refresh.click(figures, outputs=shown)
    ingest.click(upload, inputs=[files, kind, fmt, keep_email], outputs=answered).then(
        figures, outputs=shown
    )
    remap.click(
        upload_mapped, inputs={files, fmt, keep_email, asked, *pickers}, outputs=answered
    ).then(figures, outputs=shown)
    return tab


def build_settings_tab(runtime: Runtime, i18n: Label) -> None:
    """The read-only settings panel."""
    with gr.Tab(i18n("tab_settings"), id="settings") as tab:
        table = gr.Dataframe(
            value=settings_table(runtime),
            label=i18n("settings"),
            interactive=False,
            elem_id="settings-table",
        )

    def shown(request: gr.Request) -> pd.DataFrame:
        return settings_table(runtime, page_language(request))

    tab.select(shown, outputs=[table])
