"""README screenshots of the web page with the local model, in English and Chinese.

Starts ``app.py`` with the bundled local model on a copy of an indexed demo home, asks one
question per language in Debian's Chromium, and writes ``docs/screenshots/chat-local-en.png``
and ``chat-local-zh.png``. Prints each answer's wall time and the server's per-step timings
(tool calls and answer; the machine is shared, so the seconds are indicative only).

    .venv/bin/python benchmarks/screenshots.py --home /path/to/indexed/demo/home
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
QUESTIONS = {
    "en": ("en-US", "What customer segments do I have?"),
    "zh": ("zh-CN", "我的客户分群是怎样的？"),
}
BADGE = re.compile(r"[✔○⚠] ")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(home: Path, model: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env |= {"COPILOT_HOME": str(home), "COPILOT_LLM": "local", "COPILOT_MODEL_PATH": str(model)}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "app.py"), "--port", str(port)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)  # polling until the server answers
    proc.kill()
    raise SystemExit(f"app.py did not start; see {log}")


def main() -> int:
    """Take the screenshots; 0 when both answers finished."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="an indexed demo home (shop.db, knowledge)")
    args = parser.parse_args()
    from copilot.core.settings import Settings
    from copilot.llm.model_file import model_path

    model = model_path(Settings(home=REPO / ".copilot"))
    work = Path(tempfile.mkdtemp(prefix="copilot-shots-"))
    shutil.copytree(Path(args.home), work / "home")
    proc, url = _serve(work / "home", model, work / "server.log")
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            for lang, (locale, question) in QUESTIONS.items():
                page = browser.new_page(locale=locale, viewport={"width": 1400, "height": 1000})
                page.goto(url)
                page.wait_for_selector("#question textarea")
                started = time.monotonic()
                page.locator("#question textarea").fill(question)
                page.locator("#send").click()
                answer = page.locator("#chat .message-row.bot-row").filter(has_text=BADGE).last
                answer.wait_for(timeout=900_000)
                page.locator("#next-steps").wait_for(timeout=60_000)
                print(f"{lang}: answered in {time.monotonic() - started:.1f} s")
                page.screenshot(path=str(OUT / f"chat-local-{lang}.png"), animations="disabled")
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    timings = [line for line in (work / "server.log").read_text().splitlines() if " s " in line]
    print("\n".join(timings[-12:]))
    print(f"written: {OUT}/chat-local-en.png, chat-local-zh.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
