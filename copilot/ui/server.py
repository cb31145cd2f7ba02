"""The page (``gr.Blocks``), the passage viewer route and the server on loopback."""

from __future__ import annotations

import html

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from copilot.settings import Settings
from copilot.ui.chat_tab import build_chat_tab
from copilot.ui.data_tabs import build_knowledge_tab, build_settings_tab, build_shop_tab
from copilot.ui.events import PASSAGE_ROUTE
from copilot.ui.i18n import STATIC
from copilot.ui.plan_tab import build_plan_tab
from copilot.ui.runtime import Runtime

CSS = """
#chat .message-wrap { font-size: 15px; }
footer { display: none !important; }
"""


def build_blocks(runtime: Runtime) -> tuple[gr.Blocks, gr.I18n]:
    """The whole page; static labels follow the browser's locale (English or Chinese)."""
    i18n = gr.I18n(**STATIC)
    with gr.Blocks(title="Marketing copilot", analytics_enabled=False) as blocks:
        gr.Markdown("## Marketing copilot · 营销助手")
        gr.Markdown(i18n("subtitle"))
        with gr.Tabs():
            with gr.Tab(i18n("tab_chat"), id="chat"):
                build_chat_tab(runtime, i18n)
            with gr.Tab(i18n("tab_plan"), id="plan"):
                build_plan_tab(runtime, i18n)
            build_shop_tab(runtime, i18n)
            build_knowledge_tab(runtime, i18n)
            build_settings_tab(runtime, i18n)
    return blocks, i18n


def passage_page(runtime: Runtime, citation: str) -> tuple[int, str]:
    """The cited passage as a small HTML page (status, body)."""
    hit = runtime.knowledge().passage(citation)
    if hit is None:
        body = f"<p>No passage <code>{html.escape(citation)}</code> in the knowledge base.</p>"
        return 404, _page(citation, body)
    body = (
        f"<h1>{html.escape(hit.heading or hit.title)}</h1>"
        f"<p class='meta'>[{html.escape(citation)}] · {html.escape(hit.type)} · "
        f"{html.escape(hit.language)}</p>"
        f"<blockquote id='passage'>{html.escape(hit.text)}</blockquote>"
    )
    return 200, _page(citation, body)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}"
        "blockquote{white-space:pre-wrap;border-left:4px solid #f97316;margin:0;"
        "padding:.5rem 1rem;background:#fff7ed}.meta{color:#666}</style></head>"
        f"<body>{body}</body></html>"
    )


def create_server(runtime: Runtime) -> FastAPI:
    """A FastAPI app serving the passage viewer and, at ``/``, the Gradio page."""
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @api.get(PASSAGE_ROUTE + "{citation:path}", response_class=HTMLResponse)
    def passage(citation: str) -> HTMLResponse:
        status, page = passage_page(runtime, citation)
        return HTMLResponse(page, status_code=status)

    blocks, i18n = build_blocks(runtime)
    blocks.queue(default_concurrency_limit=2)
    return gr.mount_gradio_app(
        api,
        blocks,
        path="/",
        i18n=i18n,
        css=CSS,
        theme=gr.themes.Soft(primary_hue="orange"),
        footer_links=[],
        show_error=True,
    )


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the UI until interrupted (loopback by default; there is no share link)."""
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    runtime = Runtime(settings)
    app = create_server(runtime)
    runtime.warm_up()
    print(f"Marketing copilot on http://{host}:{port} (backend {settings.llm})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
