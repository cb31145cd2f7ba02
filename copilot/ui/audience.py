"""A customer list from the chat as the audience of a plan: which segment it names, and what
the plan tab says about it (plans target whole RFM segments; other filters are named, not
silently dropped)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copilot.ui.i18n import Language, text
from copilot.ui.session import ChatSession
from tools.findings import Say
from tools.findings.profiling import segment_name
from tools.profiling.results import CustomerList
from tools.profiling.segments import SEGMENT_LABELS


@dataclass(frozen=True)
class AudienceOffer:
    """A segment a customer list can hand to the plan form."""

    segment: str
    matched: int
    """Customers in the list (the segment may hold more when the list has other filters)."""
    other_filters: dict[str, Any]


def audience_offer(result: Any) -> AudienceOffer | None:
    """The offer a result makes: a customer list filtered by one RFM segment; None otherwise."""
    if not isinstance(result, CustomerList):
        return None
    segment = str(result.filters.get("segment") or "")
    if segment not in SEGMENT_LABELS:
        return None
    others = {k: v for k, v in result.filters.items() if k != "segment" and v is not None}
    return AudienceOffer(segment, result.count, others)


def session_offer(state: ChatSession) -> AudienceOffer | None:
    """The offer of the chat's latest tool result (the table beside the chat)."""
    view = state.last_result()
    return audience_offer(view.result) if view is not None else None


def offer_label(offer: AudienceOffer, lang: Language) -> str:
    """The button's words: plan for this segment."""
    return text("use_audience", lang, name=segment_name(offer.segment, Say(lang)))


def offer_note(offer: AudienceOffer, lang: Language) -> str:
    """What the plan form says about the audience it was given."""
    name = segment_name(offer.segment, Say(lang))
    if not offer.other_filters:
        return text("audience_from_chat", lang, name=name)
    filters = ", ".join(f"{k}={v}" for k, v in offer.other_filters.items())
    return text("audience_from_chat_filtered", lang, name=name, n=offer.matched, filters=filters)
