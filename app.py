"""Entry point of `make run`.

The Gradio chat UI arrives with the agent and UI issues; until then this shows what the shop
holds and which commands work today, instead of pretending to chat.
"""

from __future__ import annotations

import sys

from copilot.errors import CopilotError
from copilot.settings import load_settings
from copilot.shop import ShopData


def main() -> int:
    """Print the shop summary and the next steps."""
    try:
        settings = load_settings()
        shop = ShopData.open(settings.effective_database_url)
        counts = shop.counts()
    except CopilotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("Marketing copilot: shop data ready")
    print(f"  database: {settings.masked()['database_url']}")
    for name, n in counts.items():
        print(f"  {name:<12} {n:>10,}")
    print(
        "\nThe chat UI (Gradio, http://127.0.0.1:7860) is not built yet: it comes with the agent\n"
        "and UI work. Available now:\n"
        "  .venv/bin/copilot ingest --format online-retail FILE   load shop data\n"
        "  .venv/bin/copilot demo --force                         regenerate the demo shop\n"
        "  .venv/bin/copilot status | config                      inspect the store/settings"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
