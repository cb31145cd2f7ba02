"""Issue 17, tools that never crash the turn: every registered tool, called with random valid
arguments (drawn from its JSON schema) on small random shops, returns a result that can be
described, or raises ToolError with a message. Any other exception fails the test.

Shops come from a seeded generator driven by a drawn :class:`ShopShape`; degenerate shapes
(empty shop, one customer, one product, only returns, one day, equal prices, a bare
catalogue) are named and always run. ``search_knowledge`` reads no shop data: on the random
shops its knowledge base is empty (a refusal), and random queries run against a tiny real index
(one document, English and Chinese) in their own test. Hypothesis is derandomized, so CI gives the same verdict on
every run.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, currently_in_test_context, given, note, settings
from hypothesis import strategies as st

from copilot.core.errors import ToolError
from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.shop.transform import Shaped, shape_events, shape_orders
from copilot.shop.writes import write_shaped
from knowledge.embedder import Embedder, make_embedder
from tools import TOOLS, Tool, ToolContext, to_llm_brief, to_llm_json
from tools.findings import Say, describe
from tools.pricing.demand import ProductDemand
from tools.pricing.optimize import Constraints, optimize_prices
from tools.pricing.results import PriceOptimization

END = pd.Timestamp("2024-06-30 18:00")
COUNTRIES = ("United Kingdom", "Germany", "France", "China")
CHANNELS = ("email", "sms", "push", "social", "Email", "newsletter")
SHOP_FREE = frozenset({"ab_test_sample_size", "ab_test_readout", "search_knowledge"})
"""Tools that read no shop data: they also get their own tests, with many more examples."""

RUN = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class ShopShape:
    """What a random shop looks like; the rows come from a generator seeded with ``seed``."""

    customers: int
    products: int
    span_days: int
    orders: float
    """Mean orders per customer beyond the first."""
    returns: Literal["none", "some", "all"] = "some"
    prices: Literal["equal", "varied", "promo"] = "varied"
    catalogue: Literal["bare", "partial", "full"] = "full"
    categories: int = 2
    postage: bool = False
    """The first product is a fee (category "non-merchandise"), never recommended or priced."""
    anonymous: bool = False
    countries: int = 2
    events: bool = True
    campaigns: bool = True
    seed: int = 0


REGULAR = ShopShape(customers=90, products=6, span_days=420, orders=4.0, seed=1)
DEGENERATE = {
    "regular": REGULAR,
    "empty": replace(REGULAR, customers=0, products=0, events=False, campaigns=False),
    "catalogue_only": replace(REGULAR, customers=0, events=False),
    "one_customer": replace(REGULAR, customers=1, orders=8.0),
    "one_product": replace(REGULAR, products=1, categories=1),
    "only_returns": replace(REGULAR, returns="all"),
    "one_day": replace(REGULAR, span_days=0),
    "equal_prices": replace(REGULAR, prices="equal", returns="none"),
    "bare": replace(
        REGULAR, catalogue="bare", countries=0, anonymous=True, events=False, campaigns=False
    ),
    "only_postage": replace(REGULAR, products=1, postage=True),
    "few_customers": replace(REGULAR, customers=5),
    "anonymous_only": replace(REGULAR, customers=0, anonymous=True),
    "short_history": replace(REGULAR, span_days=40),
}

shapes = st.builds(
    ShopShape,
    customers=st.one_of(st.integers(0, 8), st.integers(9, 54), st.integers(55, 130)),
    products=st.integers(1, 8),
    span_days=st.one_of(st.just(0), st.integers(1, 60), st.integers(200, 500)),
    orders=st.floats(0, 6),
    returns=st.sampled_from(["none", "some", "all"]),
    prices=st.sampled_from(["equal", "varied", "promo"]),
    catalogue=st.sampled_from(["bare", "partial", "full"]),
    categories=st.integers(1, 3),
    postage=st.booleans(),
    anonymous=st.booleans(),
    countries=st.integers(0, len(COUNTRIES)),
    events=st.booleans(),
    campaigns=st.booleans(),
    seed=st.integers(0, 2**31),
)


# --- building a shop ------------------------------------------------------------------------


def shop_tables(shape: ShopShape) -> list[Shaped]:
    """The shop's rows as an ingest would write them: catalogue, customers, orders (through
    ``shape_orders``), events and campaigns."""
    rng = np.random.default_rng(shape.seed)
    skus = [f"SKU-{j:02d}" for j in range(shape.products)]
    ids = [f"C{i:04d}" for i in range(shape.customers)]
    price = np.full(len(skus), 9.99) if shape.prices == "equal" else rng.uniform(2, 60, len(skus))
    out = [_catalogue(shape, skus, price.round(2), rng)]
    if ids:
        countries = [
            COUNTRIES[i % shape.countries] if shape.countries else None for i in range(len(ids))
        ]
        out.append(
            Shaped({"customers": pd.DataFrame({"customer_id": ids, "country": countries})}, 0)
        )
    rows = _order_rows(shape, ids, skus, price, rng)
    if len(rows):
        out.append(shape_orders(rows))
    if shape.events and ids and skus:
        out.append(shape_events(_events(shape, ids, skus, rng)))
    if shape.campaigns:
        out.append(Shaped({"campaigns": _campaigns(rng)}, 0))
    return out


def _catalogue(shape: ShopShape, skus: list[str], price: np.ndarray, rng: Any) -> Shaped:
    if not skus or shape.catalogue == "bare":
        return Shaped({"products": pd.DataFrame({"sku": skus})}, 0)
    n = len(skus)
    keep = rng.random(n) < (0.5 if shape.catalogue == "partial" else 1.0)
    category = [f"Category {j % shape.categories}" for j in range(n)]
    if shape.postage:
        category[0] = "non-merchandise"
    frame = pd.DataFrame(
        {
            "sku": skus,
            "title": [f"Product {s}" if k else None for s, k in zip(skus, keep, strict=True)],
            "title_zh": [f"商品 {s}" if k else None for s, k in zip(skus, keep, strict=True)],
            "category": [c if k else None for c, k in zip(category, keep, strict=True)],
            "list_price": np.where(keep, price, np.nan),
            "unit_cost": np.where(keep & (rng.random(n) < 0.7), price * 0.5, np.nan),
        }
    )
    return Shaped({"products": frame}, 0)


def _order_rows(
    shape: ShopShape, ids: list[str], skus: list[str], price: np.ndarray, rng: Any
) -> pd.DataFrame:
    if not skus:
        return pd.DataFrame()
    buyers: list[str | None] = list(ids) + (
        [None] * max(1, len(ids) // 5) if shape.anonymous else []
    )
    rows = []
    day = END.normalize()
    for b, cid in enumerate(buyers):
        for o in range(1 + int(rng.poisson(shape.orders))):
            seconds = rng.uniform(0, shape.span_days * 86400) if shape.span_days else 0.0
            ts = END - pd.Timedelta(seconds=float(seconds)) if shape.span_days else day
            ts = (ts + pd.Timedelta(hours=0 if shape.span_days else rng.uniform(0, 6))).floor("s")
            order = f"O{b:04d}-{o:02d}"
            picks = rng.choice(
                len(skus), size=min(len(skus), 1 + int(rng.poisson(1))), replace=False
            )
            for j in picks:
                promo = shape.prices == "promo" and rng.random() < 0.3
                paid = price[j] * (
                    1.0
                    if shape.prices == "equal"
                    else (0.75 if promo else 1.0) * float(rng.uniform(0.85, 1.15))
                )
                qty = 1 + int(rng.poisson(1))
                all_returns = shape.returns == "all"
                rows.append(
                    (order, cid, skus[j], -qty if all_returns else qty, round(paid, 2), ts, promo)
                )
                if shape.returns == "some" and rng.random() < 0.1:
                    back = ts + pd.Timedelta(days=3)
                    rows.append((f"R{order}", cid, skus[j], -1, round(paid, 2), back, promo))
    frame = pd.DataFrame(
        rows,
        columns=["order_id", "customer_id", "sku", "quantity", "unit_price", "timestamp", "promo"],
    )
    return frame.assign(promo=frame["promo"] if shape.prices == "promo" else None)


def _events(shape: ShopShape, ids: list[str], skus: list[str], rng: Any) -> pd.DataFrame:
    n = 3 * len(ids)
    kinds = rng.choice(["view", "search", "cart"], size=n)
    return pd.DataFrame(
        {
            "customer_id": rng.choice(ids, size=n),
            "type": kinds,
            "sku": [None if k == "search" else rng.choice(skus) for k in kinds],
            "query": ["tea mug" if k == "search" else None for k in kinds],
            "ts": [
                (END - pd.Timedelta(days=float(rng.uniform(0, shape.span_days + 1)))).floor("s")
                for _ in kinds
            ],
        }
    )


def _campaigns(rng: Any) -> pd.DataFrame:
    n = int(rng.integers(1, 5))
    sends = rng.choice([0, 100, 5000], size=n).astype(float)
    return pd.DataFrame(
        {
            "campaign_id": [f"CMP-{i}" for i in range(n)],
            "name": [f"Campaign {i}" for i in range(n)],
            "channel": rng.choice(CHANNELS, size=n),
            "start_date": [(END - pd.Timedelta(days=30 * (i + 1))).date() for i in range(n)],
            "end_date": [(END - pd.Timedelta(days=30 * i + 10)).date() for i in range(n)],
            "spend": rng.choice([0.0, 50.0, 400.0, np.nan], size=n),
            "sends": sends,
            "conversions": (sends * 0.01).round(),
            "revenue": rng.choice([0.0, 900.0, np.nan], size=n),
        }
    )


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    """The real text embedder, loaded once (the recommender's text components use it)."""
    return make_embedder(Settings())


@pytest.fixture(scope="module")
def shop_for(embedder: Embedder) -> Iterator[Any]:
    """Build (once per shape) a shop in a temporary SQLite store and its tool context."""
    built: dict[ShopShape, ToolContext] = {}
    with tempfile.TemporaryDirectory() as root:

        def build(shape: ShopShape) -> ToolContext:
            if shape not in built:
                home = Path(root) / str(len(built))
                settings_ = Settings(home=home)
                shop = ShopData.open(settings_.effective_database_url)
                for shaped in shop_tables(shape):
                    write_shaped(shop, shaped, None)
                ctx = ToolContext(shop, settings_)
                ctx._shared["embedder"] = embedder
                built[shape] = ctx
            return built[shape]

        yield build
        for ctx in built.values():
            ctx.shop.engine.dispose()


# --- arguments from the schema --------------------------------------------------------------

UPPER = {
    "budget": 1e6,
    "baseline": 1e4,
    "sd": 1e4,
    "min_clv": 1e5,
    "control_n": 10**7,
    "treatment_n": 10**7,
    "control_conversions": 10**7,
    "treatment_conversions": 10**7,
    "daily_customers": 10**6,
}
"""Sensible upper bounds for arguments whose schema has none."""


LIKELY: dict[str, st.SearchStrategy[Any]] = {
    "baseline": st.floats(0.001, 0.5),
    "mde_pct": st.floats(1, 50),
    "control_n": st.integers(2, 100_000),
    "treatment_n": st.integers(2, 100_000),
    "control_conversions": st.integers(0, 5_000),
    "treatment_conversions": st.integers(0, 5_000),
    "budget": st.floats(10, 50_000),
}
"""Values a marketer would give, mixed in so that not every draw is refused."""


def value(name: str, spec: dict[str, Any], pools: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """Valid values of one argument: its enum, its bounds, or (ids, names) the shop's own values
    mixed with near misses and random text; likely values mixed in where a marketer has some."""
    if "anyOf" in spec:
        return st.one_of(*(value(name, s, pools) for s in spec["anyOf"]))
    valid = _from_schema(name, spec, pools)
    return st.one_of(LIKELY[name], valid) if name in LIKELY else valid


def _from_schema(
    name: str, spec: dict[str, Any], pools: dict[str, list[str]]
) -> st.SearchStrategy[Any]:
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    kind = spec.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        low = spec.get("minimum", spec.get("exclusiveMinimum", -(10**6) - 1) + 1)
        high = spec.get("maximum", spec.get("exclusiveMaximum", UPPER.get(name, 10**6) + 1) - 1)
        return st.integers(int(low), int(high))
    if kind == "number":
        return st.floats(
            min_value=spec.get("minimum", spec.get("exclusiveMinimum", -1e6)),
            max_value=spec.get("maximum", spec.get("exclusiveMaximum", UPPER.get(name, 1e6))),
            exclude_min="exclusiveMinimum" in spec,
            exclude_max="exclusiveMaximum" in spec,
            allow_nan=False,
        )
    size = {"min_size": spec.get("minLength", 0), "max_size": spec.get("maxLength", 80)}
    if "pattern" in spec:
        dates = st.dates(date(2020, 1, 1), date(2030, 12, 31))
        return st.one_of(dates.map(str), st.from_regex(re.compile(spec["pattern"]), fullmatch=True))
    known = [v for v in pools.get(name, []) if size["min_size"] <= len(v) <= size["max_size"]]
    text = st.text(**size)
    if not known:
        return text
    near = st.sampled_from(known).map(lambda v: f" {v.lower()} ")
    return st.one_of(st.sampled_from(known), near, text)


def arguments(t: Tool, pools: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments for ``t`` that pass its schema: required ones always, optional ones sometimes."""
    schema = t.json_schema()
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {k: value(k, v, pools) for k, v in props.items() if k in required},
        optional={k: value(k, v, pools) for k, v in props.items() if k not in required},
    )


def pools_of(ctx: ToolContext) -> dict[str, list[str]]:
    """The shop's own ids and names, by argument name."""
    products = ctx.shop.products()
    customers = ctx.shop.customers()
    categories = sorted(products["category"].dropna().unique()) if len(products) else []
    return {
        "customer_id": customers["customer_id"].astype(str).tolist(),
        "sku": products["sku"].astype(str).tolist() + categories,
        "category": categories,
        "country": [*customers["country"].dropna().unique(), "any", "UK"],
        "goal": [
            "win back lapsed customers",
            "reward VIPs",
            "welcome new customers",
            "召回流失客户",
        ],
        "query": ["returns policy", "退货政策", "tea"],
    }


def call(t: Tool, ctx: ToolContext, args: dict[str, Any]) -> Any:
    """Run one tool as a turn does: the result must serialise and state its findings in both
    languages; a refusal must say something. Anything else propagates (the test fails)."""
    if currently_in_test_context():
        note(f"{t.name}({args})")
    try:
        result = t(ctx, **args)
    except ToolError as exc:
        assert exc.message_for_people.strip(), f"{t.name} refused without a message"
        for language in ("en", "zh"):  # what the agent shows: the wording, when keyed
            assert not exc.key or Say(language)(exc.key, **exc.values).strip()
        return None
    to_llm_json(result)
    for language in ("en", "zh"):
        to_llm_brief(result, language)
        assert describe(result, language).text().strip()
    return result


TOOL = {t.name: t for t in TOOLS}


def _all_tools(ctx: ToolContext, data: st.DataObject) -> None:
    """Every registered tool once (a new tool is exercised without editing this file)."""
    pools = pools_of(ctx)
    for t in TOOLS:
        call(t, ctx, data.draw(arguments(t, pools), label=t.name))


def test_the_shop_free_tools_are_registered() -> None:
    """Their own tests look them up by name; a rename must not leave them testing nothing."""
    assert SHOP_FREE <= set(TOOL)


def test_the_regular_shop_is_answered(shop_for: Any) -> None:
    """The random shops reach the models, not only the refusals at their doors."""
    ctx = shop_for(REGULAR)
    answered: dict[str, dict[str, Any]] = {
        "segment_overview": {"kind": "cluster"},
        "find_customers": {"segment": "champions"},
        "profile_customer": {"customer_id": "C0001"},
        "profile_weights": {},
        "recommend_products": {"customer_id": "C0001"},
        "recommend_for_segment": {"segment": "champions"},
        "similar_products": {"sku": "SKU-01"},
        "frequently_bought_with": {"sku": "SKU-01"},
        "price_elasticity": {},
        "recommend_discount": {"segment": "champions", "budget": 1000.0},
        "plan_campaign": {"goal": "win back lapsed customers", "budget": 5000.0},
    }
    for name, args in answered.items():
        assert call(TOOL[name], ctx, args) is not None, name


@pytest.mark.parametrize("name", list(DEGENERATE))
@settings(RUN, max_examples=8)
@given(data=st.data())
def test_no_tool_crashes_on_a_degenerate_shop(
    name: str, shop_for: Any, data: st.DataObject
) -> None:
    ctx = shop_for(DEGENERATE[name])
    note(f"shop {name}: {DEGENERATE[name]}")
    _all_tools(ctx, data)


@settings(RUN, max_examples=24)
@given(shape=shapes, data=st.data())
def test_no_tool_crashes_on_a_random_shop(
    shape: ShopShape, shop_for: Any, data: st.DataObject
) -> None:
    note(f"shop {shape}")
    _all_tools(shop_for(shape), data)


@pytest.mark.parametrize("name", ["ab_test_sample_size", "ab_test_readout"])
@settings(RUN, max_examples=400)
@given(data=st.data())
def test_no_experiment_tool_crashes(name: str, shop_for: Any, data: st.DataObject) -> None:
    """The A/B tools read no shop data: many more argument draws, extremes included."""
    t = next(t for t in TOOLS if t.name == name)
    call(t, shop_for(DEGENERATE["empty"]), data.draw(arguments(t, {}), label=name))


POLICY = """---
title: Returns policy
type: policy
language: en
---
# Returns policy

## Return window

Items can be returned within 30 days of delivery. Sale items are final.

## 退货

收货后 30 天内可以退货。
"""


@pytest.fixture(scope="module")
def knowledge_ctx(embedder: Embedder) -> Iterator[ToolContext]:
    """A tiny real knowledge base (one document in two languages) over an empty shop."""
    from knowledge.sources import file_sources
    from knowledge.store import KnowledgeStore

    with tempfile.TemporaryDirectory() as root:
        docs = Path(root) / "docs"
        docs.mkdir()
        (docs / "returns-policy.md").write_text(POLICY, encoding="utf-8")
        settings_ = Settings(home=Path(root) / "home")
        KnowledgeStore(settings_, embedder=embedder).index(list(file_sources(docs)), {str(docs)})
        ctx = ToolContext(ShopData.open(settings_.effective_database_url), settings_)
        ctx._shared["embedder"] = embedder
        yield ctx
        ctx.shop.engine.dispose()


@settings(RUN, max_examples=40)
@given(data=st.data())
def test_knowledge_search_never_crashes(knowledge_ctx: ToolContext, data: st.DataObject) -> None:
    t = next(t for t in TOOLS if t.name == "search_knowledge")
    pools = {"query": ["returns policy", "退货", "return window", "sale items", "loyalty"]}
    call(t, knowledge_ctx, data.draw(arguments(t, pools), label=t.name))


# --- regressions: the crashes the property tests found, as named examples --------------------


def test_bought_together_on_a_shop_without_sales_is_a_refusal(shop_for: Any) -> None:
    """A catalogue without orders made the basket matrix from an empty max (ValueError)."""
    ctx = shop_for(DEGENERATE["catalogue_only"])
    with pytest.raises(ToolError, match="SKU-00 is in no order yet"):
        TOOL["frequently_bought_with"](ctx, sku="SKU-00")


def test_recommendations_when_every_product_is_postage_are_a_refusal(shop_for: Any) -> None:
    """Only fees left nothing to recommend; popularity took the max of no products."""
    ctx = shop_for(DEGENERATE["only_postage"])
    for name, args in (
        ("recommend_products", {"customer_id": "C0000"}),
        ("similar_products", {"sku": "SKU-00"}),
        ("recommend_for_segment", {"segment": "champions"}),
    ):
        with pytest.raises(ToolError, match="no products to recommend"):
            TOOL[name](ctx, **args)


def test_recommendations_when_no_product_has_text(shop_for: Any) -> None:
    """The only titled product was a fee, so TF-IDF saw blank texts ("empty vocabulary")."""
    shape = ShopShape(
        customers=1,
        products=2,
        span_days=1,
        orders=0.0,
        catalogue="partial",
        categories=2,
        postage=True,
        prices="equal",
        events=False,
        campaigns=False,
        seed=125176,
    )
    ctx = shop_for(shape)
    assert call(TOOL["recommend_products"], ctx, {"customer_id": "C0000"}) is not None
    assert call(TOOL["similar_products"], ctx, {"sku": "SKU-01"}) is not None


def test_a_price_ending_that_no_allowed_price_has_keeps_the_price() -> None:
    """A 0.35% cap around 10.50 holds no .99 price: the optimiser took the min of no prices."""
    demand = ProductDemand(
        "X", None, -2.5, (-2.6, -2.4), 0.05, -2.5, 0.05, None, 100, 100, 0.2, 0.9, 0.1,
        10.5, 100.0, (8.0, 12.0), [], [], np.zeros(2),
    )  # fmt: skip
    [kept] = optimize_prices(
        [demand], {"X": (5.0, "data")}, Constraints(max_change_pct=0.347, ending=0.99)
    )
    assert kept.status == "refused" and kept.refusal == "no_ending"
    assert kept.recommended_price == 10.5 and "no price ending in 0.99" in kept.notes[-1]
    result = PriceOptimization(
        scope="X",
        objective="profit",
        decisions=[kept],
        weekly_profit_now=0.0,
        weekly_profit_new=0.0,
        cost_note="",
        max_change_pct=0.347,
        min_margin_pct=10.0,
        profit_change_pct=0.0,
        assumed_margin=None,
        titles={},
    )
    assert "no price with the requested ending" in describe(result).text()
    assert "没有符合所要求尾数的价格" in describe(result, "zh").text()


@pytest.mark.parametrize(
    ("args", "refusal"),
    [
        # a change that leaves the baseline unchanged: "baseline and target must differ"
        ({"metric": "conversion", "baseline": 5e-324, "mde_pct": 5e-324}, "does not move"),
        # a difference of 5e-323 against an sd of 9,135: brentq on [2, inf] ("NaN at x=inf")
        (
            {"metric": "revenue", "baseline": 1e-323, "mde_pct": 450.3, "sd": 9134.5},
            "more than 1,000,000,000,000 customers",
        ),
        # an sd of 4e-87 and a split of 5e-324: 'delta must be non-zero and sd positive'
        (
            {
                "metric": "revenue",
                "baseline": 1e-323,
                "mde_pct": 2.2e-311,
                "sd": 3.8e-87,
                "treatment_share": 5e-324,
            },
            "does not move",
        ),
        ({"metric": "conversion", "baseline": 0.05, "mde_pct": 10, "alpha": 5e-324}, "alpha"),
    ],
)
def test_sample_sizes_that_cannot_be_computed_are_refusals(
    args: dict[str, Any], refusal: str
) -> None:
    with pytest.raises(ToolError, match=refusal):
        TOOL["ab_test_sample_size"](None, **args)  # type: ignore[arg-type]


def test_an_effect_larger_than_any_noise_needs_the_smallest_test() -> None:
    """The t-test search had no sign change on [2, guess] when 2 customers already suffice."""
    plan = TOOL["ab_test_sample_size"](
        None,  # type: ignore[arg-type]
        metric="revenue",
        baseline=100.0,
        mde_pct=50.0,
        sd=1e-6,
    )
    assert (plan.control, plan.treatment) == (2, 2)


@pytest.mark.parametrize(
    ("share", "sd", "groups"),
    [
        # 2 million customers' degrees of freedom: SciPy's noncentral t gave NaN at n = 2
        (0.999999, 1.0, (2, 1_999_998)),
        # a treatment share of 1e-6: the search started at a treatment group of 2e-6 customers
        (1e-6, 100.0, (784_886_053, 785)),
    ],
)
def test_a_very_uneven_split_is_sized(share: float, sd: float, groups: tuple[int, int]) -> None:
    plan = TOOL["ab_test_sample_size"](
        None,  # type: ignore[arg-type]
        metric="revenue",
        baseline=100.0,
        mde_pct=10.0,
        sd=sd,
        treatment_share=share,
    )
    assert (plan.control, plan.treatment) == groups


def test_a_readout_whose_variances_underflow_is_read() -> None:
    """sd 1e-160: the variances squared underflow to 0 and Welch's df divided by zero."""
    out = TOOL["ab_test_readout"](
        None,  # type: ignore[arg-type]
        metric="revenue",
        control_n=2,
        treatment_n=2,
        control_mean=1.0,
        control_sd=1e-160,
        treatment_mean=1.0,
        treatment_sd=1e-160,
    )
    assert not out.significant


@pytest.mark.parametrize("start", ["2024-02-30", "٢٠٢٤-٠٧-٠١"])
def test_a_plan_start_that_is_no_calendar_date_is_a_refusal(start: str) -> None:
    """The schema's pattern lets through impossible dates and non-ASCII digits, which the plan
    printed as its start."""
    with pytest.raises(ToolError, match="is not a calendar date"):
        TOOL["plan_campaign"](None, goal="win back", budget=100.0, start=start)  # type: ignore[arg-type]
