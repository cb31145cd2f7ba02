"""A customer list from the chat as the audience of a plan: the segment it names and its other
filters (churn risk, CLV, country, inactivity), which narrow the plan's audience to the list's
customers; the plan tab says so in the page's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copilot.ui.i18n import Language, text
from copilot.ui.session import ChatSession
from tools.findings import Say
from tools.findings.profiling import segment_name
from tools.plan_words import filter_text
from tools.profiling.results import CustomerList
from tools.profiling.segments import EVERYONE, SEGMENT_LABELS


@dataclass(frozen=True)
class AudienceOffer:
    """A segment a customer list can hand to the plan form."""

    segment: str
    matched: int
    """Customers in the list (the segment may hold more when the list has other filters)."""
    other_filters: dict[str, Any]


def audience_offer(result: Any) -> AudienceOffer | None:
    """The offer a customer list makes: its RFM segment (or all customers) narrowed by its
    other filters; None for any other result or a list of nobody."""
    if not isinstance(result, CustomerList) or result.count == 0:
        return None
    segment = str(result.filters.get("segment") or EVERYONE[0])
    others = {k: v for k, v in result.filters.items() if k != "segment" and v is not None}
    if segment not in SEGMENT_LABELS and (segment != EVERYONE[0] or not others):
        return None  # a cluster, or the whole shop: a plan's audience dropdown has it
    return AudienceOffer(segment, result.count, others)


def session_offer(state: ChatSession) -> AudienceOffer | None:
    """The offer of the chat's latest tool result (the table beside the chat)."""
    view = state.last_result()
    return audience_offer(view.result) if view is not None else None


def offer_label(offer: AudienceOffer, lang: Language) -> str:
    """The button's words: plan for this segment, or for this list."""
    if offer.segment == EVERYONE[0]:
        return text("use_list", lang)
    return text("use_audience", lang, name=segment_name(offer.segment, Say(lang)))


def offer_note(offer: AudienceOffer, lang: Language) -> str:
    """What the plan form says about the audience it was given."""
    name = segment_name(offer.segment, Say(lang))
    if not offer.other_filters:
        return text("audience_from_chat", lang, name=name)
    say = Say(lang)
    filters = say.join([filter_text(k, v, say) for k, v in offer.other_filters.items()])
    return text("audience_from_chat_filtered", lang, name=name, n=offer.matched, filters=filters)
