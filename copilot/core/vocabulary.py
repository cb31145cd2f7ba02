"""Words every layer shares, each list written once: as a ``Literal`` type for signatures and
schemas, and as a tuple for command-line and form choices."""

from __future__ import annotations

from typing import Literal, get_args

Channel = Literal["email", "sms", "push", "social"]
CHANNELS: tuple[str, ...] = get_args(Channel)
"""Where a campaign reaches its audience."""

DocType = Literal["product", "campaign", "policy", "guide", "lesson"]
DOC_TYPES: tuple[str, ...] = get_args(DocType)
"""The kinds of document the knowledge base holds."""
