"""The store: configuration errors name the fix; writes are all-or-nothing."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from copilot.core.errors import ConfigError
from copilot.core.settings import Settings
from copilot.shop import ShopData, create_shop_engine
from copilot.shop.transform import Shaped
from copilot.shop.writes import write_shaped
from tools import ToolContext


def test_missing_driver_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated, so the verdict does not depend on whether the driver is installed here.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ConfigError, match=r"pip install 'psycopg\[binary\]'"):
        create_shop_engine("postgresql+psycopg://u:p@127.0.0.1:1/shop")


def test_unknown_dialect_and_garbage_url() -> None:
    with pytest.raises(ConfigError, match="COPILOT_DATABASE_URL"):
        create_shop_engine("nosuchdb://x")
    with pytest.raises(ConfigError, match="COPILOT_DATABASE_URL"):
        create_shop_engine("not a url")


def test_failed_write_leaves_nothing_behind(shop: ShopData) -> None:
    good = pd.DataFrame({"sku": ["A", "B"], "title": ["a", "b"]})
    bad = pd.DataFrame(
        {
            "order_id": ["1"],
            "line_no": [1],
            "sku": [None],
            "quantity": [1],
            "unit_price": [1.0],
            "ts": [pd.Timestamp("2024-01-01")],
            "is_return": [False],
        }
    )  # sku is NOT NULL: the database rejects the second table
    version = shop.version()
    with pytest.raises(Exception, match="NOT NULL"):
        write_shaped(shop, Shaped(tables={"products": good, "order_lines": bad}, rows_kept=3), None)
    assert shop.is_empty() and shop.version() == version


def test_counts_and_version(shop: ShopData) -> None:
    assert shop.is_empty() and shop.version() == 0
    write_shaped(shop, Shaped(tables={"products": pd.DataFrame({"sku": ["A"]})}, rows_kept=1), None)
    assert shop.counts()["products"] == 1 and shop.version() == 1


def test_a_callers_edit_never_reaches_the_cache(shop: ShopData) -> None:
    products = pd.DataFrame({"sku": ["A", "B"], "title": ["Mug", "Cup"]})
    write_shaped(shop, Shaped(tables={"products": products}, rows_kept=2), None)
    first = shop.products()
    first.loc[0, "title"] = "edited"  # in place, as a careless tool might
    first["title"] = first["title"].str.upper()
    assert list(shop.products()["title"]) == ["Mug", "Cup"]


def test_the_shop_name_comes_from_the_settings_or_the_data(
    shop: ShopData, settings: Settings, demo_ctx: ToolContext
) -> None:
    from copilot.agent.factory import build_agent
    from copilot.testing import ScriptedModel

    def name(ctx: ToolContext) -> str:
        return build_agent(ctx.settings, ScriptedModel([]), ctx).shop_name

    # A user's own data is not the demo's brand; the demo shop records its brand.
    assert name(ToolContext(shop, settings)) == "the shop"
    assert name(demo_ctx) == "Lumen & Leaf"
    named = settings.model_copy(update={"shop_name": "Acme Outdoor"})
    assert name(ToolContext(shop, named)) == "Acme Outdoor"
    agent = build_agent(named, ScriptedModel([]), ToolContext(shop, named))
    assert "Acme Outdoor" in agent.system_prompt("en")
