"""The page (``gr.Blocks``), the passage viewer route and the server (loopback unless users
exist: see ``copilot.ui.login``)."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from copilot.core.settings import Settings
from copilot.ui.audience import offer_note, session_offer
from copilot.ui.campaigns_tab import build_campaigns_tab
from copilot.ui.chat_tab import build_chat_tab
from copilot.ui.data_tabs import build_settings_tab, build_shop_tab
from copilot.ui.events import PASSAGE_ROUTE
from copilot.ui.i18n import STATIC, page_language
from copilot.ui.knowledge_tab import build_knowledge_tab
from copilot.ui.login import LOGOUT_ROUTE, Sessions, add_login, login_required, session_user
from copilot.ui.plan_tab import build_plan_tab
from copilot.ui.progress import TICKER
from copilot.ui.runtime import Runtime
from copilot.ui.session import ChatSession
from copilot.users import UserStore

CSS = """
#chat .message-wrap { font-size: 15px; }
footer { display: none !important; }
.step-line { color: #44403c; font-size: 14px; }
/* Send and Stop stay beside the question on an 800 px screen: Gradio 6.31 wraps the row. */
#ask-row { flex-wrap: nowrap; }
#ask-row > #question { min-width: 0; }
/* Keyboard users see where they are (WCAG 2.4.7). */
button:focus-visible, [role="tab"]:focus-visible, a:focus-visible, input:focus-visible,
textarea:focus-visible { outline: 3px solid #9a3412 !important; outline-offset: 2px; }
"""


def theme() -> gr.themes.Base:
    """Gradio's Soft theme in orange, darkened where its text fell below WCAG AA contrast
    (orange labels on peach, white on orange buttons; measured by tests/a11y.js)."""
    return gr.themes.Soft(primary_hue="orange").set(
        color_accent="*primary_700",  # the selected tab's text
        body_text_color_subdued="*neutral_600",  # slider ends, "- or -" in uploads
        block_label_text_color="*primary_800",
        block_title_text_color="*primary_800",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        checkbox_label_background_fill_selected="*primary_700",
        checkbox_background_color_selected="*primary_700",
        checkbox_border_color_selected="*primary_700",
    )


def build_blocks(runtime: Runtime) -> tuple[gr.Blocks, gr.I18n]:
    """The whole page; static labels follow the browser's locale (English or Chinese)."""
    i18n = gr.I18n(**STATIC)
    with gr.Blocks(title="Marketing copilot", analytics_enabled=False) as blocks:
        with gr.Row():
            gr.Markdown("## Marketing copilot · 营销助手")
            signed_in = gr.HTML(elem_id="signed-in")
        blocks.load(_signed_in, outputs=[signed_in], show_progress="hidden")
        gr.Markdown(i18n("subtitle"))
        with gr.Tabs() as tabs:
            with gr.Tab(i18n("tab_chat"), id="chat"):
                chat = build_chat_tab(runtime, i18n, blocks)
            with gr.Tab(i18n("tab_plan"), id="plan"):
                plan = build_plan_tab(runtime, i18n, blocks)
            build_campaigns_tab(runtime, i18n)
            build_shop_tab(runtime, i18n)
            build_knowledge_tab(runtime, i18n)
            build_settings_tab(runtime, i18n)

        def hand_over(state: ChatSession, request: gr.Request) -> list[Any]:
            offer = session_offer(state)
            if offer is None:
                return [gr.skip()] * 4
            lang = page_language(request)
            filters = offer.other_filters or None
            return [gr.Tabs(selected="plan"), offer.segment, offer_note(offer, lang), filters]

        # A customer list becomes the plan's audience in one click.
        chat.use_audience.click(
            hand_over, [chat.session], [tabs, plan.audience, plan.status, plan.list_filters]
        )
    return blocks, i18n


def _signed_in(request: gr.Request) -> str:
    if not request.username:
        return ""
    # HTML, not Markdown: Markdown links open a new tab, and signing out belongs in this one.
    return (
        f"{html.escape(request.username)} · "
        f"<a href='{LOGOUT_ROUTE}' target='_self'>Sign out · 退出</a>"
    )


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


def create_server(runtime: Runtime, sessions: Sessions | None = None) -> FastAPI:
    """A FastAPI app serving the passage viewer and, at ``/``, the Gradio page; with
    ``sessions``, every route behind the login."""
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    if sessions is not None:
        add_login(api, sessions)

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
        head=TICKER,
        theme=theme(),
        footer_links=[],
        show_error=True,
        auth_dependency=session_user(sessions) if sessions is not None else None,
    )


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the UI until interrupted (``COPILOT_HOST``, loopback by default; no share link).

    Refuses to start off loopback without users (ConfigError); with users, a login is needed.
    """
    import logging

    import uvicorn

    host, port = host or settings.host, port or settings.port
    users = UserStore(settings.users_path)
    sessions = Sessions(users) if login_required(host, users) else None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    runtime = Runtime(settings)
    app = create_server(runtime, sessions)
    runtime.warm_up()
    shown = f"[{host}]" if ":" in host else host
    login = f", login required ({len(users.users())} users)" if sessions else ""
    print(f"Marketing copilot on http://{shown}:{port} (backend {settings.llm}{login})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
