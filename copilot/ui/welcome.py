"""The chat tab's first lines: which data the copilot is connected to and what to ask it."""

from __future__ import annotations

from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.ui.i18n import Language, text
from copilot.ui.shop_view import shop_kpis


def welcome(settings: Settings, shop: ShopData, lang: Language) -> str:
    """One paragraph naming the shop, its customers, orders and their days, and what to ask;
    or, for a shop without orders, how to load them."""
    kpis = shop_kpis(shop)
    if kpis.orders == 0:
        return text("welcome_empty", lang)
    first = shop.order_lines()["ts"].min().date().isoformat()
    name = settings.shop_name or shop.name() or text("welcome_your_shop", lang)
    return text(
        "welcome",
        lang,
        shop=name,
        customers=f"{kpis.customers:,}",
        orders=f"{kpis.orders:,}",
        first=first,
        last=kpis.as_of,
    )
