"""Entry point of `make run`: the web UI on http://127.0.0.1:7860 (loopback, no share link).

Another interface (``--host`` or ``COPILOT_HOST``) needs users: ``copilot users add NAME``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# Before anything imports Gradio: no analytics calls unless explicitly enabled.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from copilot.core.errors import CopilotError  # noqa: E402
from copilot.core.settings import load_settings  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    """Build the settings and serve the UI."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--host",
        help="interface to bind (default COPILOT_HOST or 127.0.0.1); off loopback "
        "a login is required",
    )
    parser.add_argument("--port", type=int, help="default COPILOT_PORT or 7860")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        from copilot.ui.server import serve

        serve(settings, host=args.host, port=args.port)
    except CopilotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
