"""The knowledge tab: upload and index documents, search them, and list, re-index or delete
each indexed document (named by its title and file name, never a server path)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from copilot.core.errors import CopilotError
from copilot.ui.data_tabs import PROGRESS, shown_error
from copilot.ui.i18n import Label, Language, page_language, text
from copilot.ui.runtime import Runtime

UPLOADS = Path("knowledge") / "uploads"
"""Uploaded documents are kept under the data directory, so re-indexing finds them again."""
SHOP = "shop"
"""The root of the documents made from the shop's own data (products, campaigns)."""


def index_uploads(
    runtime: Runtime, paths: list[Path], lang: Language, progress: gr.Progress | None = None
) -> str:
    """Copy documents into the data directory and index that folder incrementally; a file
    that cannot be indexed is listed with the reason (in ``lang``) and not kept."""
    from knowledge.sources import file_sources

    folder = runtime.settings.home_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy(path, folder / path.name)
    if progress is not None:
        progress(0.2, desc=text("kb_reading", lang))
    try:
        sources = list(file_sources(folder))
        if progress is not None:
            chunks = sum(len(s.chunks) for s in sources)
            progress(0.5, desc=text("kb_embedding", lang, n=f"{chunks:,}"))
        store = runtime.knowledge()
        summary = store.index(sources, {str(folder.resolve())})
    except CopilotError as error:
        return shown_error(error, paths)
    uploaded = {path.name for path in paths}
    for name, _ in summary.skipped:
        if name in uploaded:  # not kept: it would be reported again on every upload
            (folder / name).unlink(missing_ok=True)
    s = summary
    head = text(
        "kb_indexed",
        lang,
        mark="⚠" if s.skipped else "✔",
        added=s.added,
        updated=s.updated,
        unchanged=s.unchanged,
        deleted=s.deleted,
        chunks=f"{s.chunks:,}",
        total=f"{store.count():,}",
    )
    skipped = [text("kb_skipped", lang, name=name, why=why.text(lang)) for name, why in s.skipped]
    return "\n".join([head, *(f"- {line}" for line in skipped)])


def search_table(runtime: Runtime, query: str) -> pd.DataFrame:
    """Search results with their citation ids."""
    if len(query.strip()) < 2:
        return pd.DataFrame(columns=["citation", "title", "type", "language", "score", "text"])
    hits = runtime.knowledge().search(query.strip(), limit=8)
    return pd.DataFrame(
        [
            {
                "citation": f"[{h.citation}]",
                "title": h.title,
                "type": h.type,
                "language": h.language,
                "score": round(h.score, 3),
                "text": " ".join(h.text.split())[:300],
            }
            for h in hits
        ]
    )


def document_name(source: str, root: str) -> str:
    """A document as its reader knows it: its path inside the indexed folder, no server path."""
    if root == SHOP:
        return source
    path, base = Path(source), Path(root)
    if path != base and path.is_relative_to(base):
        return str(path.relative_to(base))
    return path.name


def source_rows(sources: list[dict[str, Any]], lang: Language) -> pd.DataFrame:
    """The indexed documents (``KnowledgeStore.sources``): title, file, type, passages, with
    labels in ``lang``."""
    rows = [
        {
            text("kb_title", lang): row["title"],
            text("kb_document", lang): document_name(row["source"], row["root"]),
            text("kb_type", lang): row["type"],
            text("kb_passages", lang): row["chunks"],
        }
        for row in sources
    ]
    columns = [text(k, lang) for k in ("kb_title", "kb_document", "kb_type", "kb_passages")]
    return pd.DataFrame(rows, columns=columns)


def file_choices(sources: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The documents that came from files (the shop's own are rebuilt from its data)."""
    return [
        (f"{row['title']} · {document_name(row['source'], row['root'])}", row["source"])
        for row in sources
        if row["root"] != SHOP
    ]


def remove_document(runtime: Runtime, source: str, lang: Language) -> str:
    """Take one document out of the knowledge base; an uploaded file is deleted too (else the
    next upload would index it again)."""
    store = runtime.knowledge()
    root = store.source_root(source)
    if root is None:
        return text("kb_unknown", lang)
    removed = store.remove(source)
    name = document_name(source, root)
    uploads = (runtime.settings.home_dir / UPLOADS).resolve()
    if Path(source).is_relative_to(uploads):
        Path(source).unlink(missing_ok=True)
        return text("kb_removed_upload", lang, name=name, n=removed)
    return text("kb_removed", lang, name=name, n=removed)


def reindex_document(runtime: Runtime, source: str, lang: Language) -> str:
    """Read one document's file again and replace its passages."""
    from knowledge.sources import file_source

    store = runtime.knowledge()
    root = store.source_root(source)
    if root is None:
        return text("kb_unknown", lang)
    name = document_name(source, root)
    if not Path(source).is_file():
        return text("kb_missing_file", lang, name=name)
    fresh = file_source(Path(source), root)
    if fresh.skipped:
        return "✖ " + text("kb_skipped", lang, name=name, why=fresh.skipped.text(lang))
    store.remove(source)
    store.index([fresh], set())
    return text("kb_reindexed", lang, name=name, n=len(fresh.chunks))


def build_knowledge_tab(runtime: Runtime, i18n: Label) -> None:
    """The knowledge tab: upload and index documents, search, list, re-index and delete."""
    with gr.Tab(i18n("tab_knowledge"), id="knowledge") as tab:
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                with gr.Row():
                    query = gr.Textbox(label=i18n("search"), scale=4, elem_id="kb-query")
                    go = gr.Button(i18n("search_button"), scale=1, elem_id="kb-search")
                hits = gr.Dataframe(
                    label=i18n("results"), interactive=False, wrap=True, elem_id="kb-results"
                )
            with gr.Column(scale=2):
                docs = gr.File(
                    label=i18n("upload_docs"),
                    file_count="multiple",
                    file_types=[".md", ".markdown", ".txt", ".pdf"],
                )
                index = gr.Button(i18n("index"), variant="primary")
                indexed = gr.Markdown()
        sources = gr.Dataframe(
            label=i18n("sources"), interactive=False, max_height=300, elem_id="kb-sources"
        )
        with gr.Row():
            pick = gr.Dropdown(choices=[], label=i18n("kb_pick"), scale=4, elem_id="kb-source")
            again = gr.Button(i18n("kb_reindex"), scale=1, elem_id="kb-reindex")
            drop = gr.Button(i18n("kb_delete"), scale=1, elem_id="kb-delete")
        done = gr.Markdown(elem_id="kb-done")

    def listing(request: gr.Request) -> list[Any]:
        found = runtime.knowledge().sources()
        choices = gr.update(choices=file_choices(found), value=None)
        return [source_rows(found, page_language(request)), choices]

    def upload(given: list[str] | None, request: gr.Request, progress: Any = PROGRESS) -> str:
        lang = page_language(request)
        if not given:
            return text("kb_no_files", lang)
        return index_uploads(runtime, [Path(p) for p in given], lang, progress)

    def on_pick(act: Callable[[Runtime, str, Language], str]) -> Callable[..., str]:
        def handle(source: str | None, request: gr.Request) -> str:
            lang = page_language(request)
            return act(runtime, source, lang) if source else text("kb_choose", lang)

        return handle

    listed = [sources, pick]
    tab.select(listing, outputs=listed)
    gr.on([go.click, query.submit], lambda q: search_table(runtime, q), [query], [hits])
    index.click(upload, inputs=[docs], outputs=[indexed]).then(listing, outputs=listed)
    drop.click(on_pick(remove_document), [pick], [done]).then(listing, outputs=listed)
    again.click(on_pick(reindex_document), [pick], [done]).then(listing, outputs=listed)
