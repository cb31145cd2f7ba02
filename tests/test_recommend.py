"""Recommenders: one contract suite for every backend on known-answer data, plus the tools."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from tools.recommend.base import Recommender
from tools.recommend.content import ContentRecommender
from tools.recommend.evaluate import ranking_metrics
from tools.recommend.hybrid import HybridRecommender
from tools.recommend.interactions import Interactions, build_interactions
from tools.recommend.linear import EASERecommender, RP3BetaRecommender
from tools.recommend.neighbours import ItemKNNRecommender, UserKNNRecommender
from tools.recommend.simple import BuyAgainRecommender, PopularityRecommender

N = 40


def checkerboard() -> Interactions:
    """Customer u bought item i when u + i is even, except its own diagonal item u."""
    rows = [
        (f"u{u:02d}", f"i{i:02d}")
        for u in range(N)
        for i in range(N)
        if (u + i) % 2 == 0 and u != i
    ]
    lines = pd.DataFrame(rows, columns=["customer_id", "sku"])
    lines["order_id"] = lines["customer_id"]
    # Varying quantities give centring something to work with (binary data centres to zero).
    lines["quantity"] = 1 + (lines.index % 3)
    lines["unit_price"] = 1.0
    lines["is_return"] = False
    lines["ts"] = pd.Timestamp("2024-01-01")
    items = np.array([f"i{i:02d}" for i in range(N)], dtype=object)
    return build_interactions(lines, as_of=pd.Timestamp("2024-02-01"), items=items)


TEXTS = {
    f"i{i:02d}": ("red cotton mug kitchen" if i % 2 == 0 else "blue paper notebook desk")
    + f" item {i}"
    for i in range(N)
}

BACKENDS: dict[str, Callable[[], Recommender]] = {
    "user_cf_cosine": lambda: UserKNNRecommender(k_neighbours=10),
    "user_cf_pearson": lambda: UserKNNRecommender(k_neighbours=10, similarity="pearson"),
    # Every item has 18 equally similar neighbours here: prune above that, or ties decide.
    "item_cf_cosine": lambda: ItemKNNRecommender(k_neighbours=N, transform="log1p"),
    "item_cf_bm25": lambda: ItemKNNRecommender(k_neighbours=N),
    "content": lambda: ContentRecommender(TEXTS, k_neighbours=10),
    "ease": lambda: EASERecommender(l2=10.0),
    "rp3beta": lambda: RP3BetaRecommender(k_neighbours=N),
    "item_cf_binary_input": lambda: ItemKNNRecommender(k_neighbours=N, transform="binary"),
    "hybrid": lambda: HybridRecommender(
        {
            "popularity": PopularityRecommender(),
            "item_cf": ItemKNNRecommender(k_neighbours=N),
            "user_cf": UserKNNRecommender(k_neighbours=10),
        },
        {"popularity": 0.2, "item_cf": 1.0, "user_cf": 1.0},
    ),
}


@pytest.fixture(params=list(BACKENDS), scope="module")
def fitted(request: pytest.FixtureRequest) -> Recommender:
    return BACKENDS[request.param]().fit(checkerboard())


class TestRecommenderContract:
    """Every personalised backend must pass these on the checkerboard."""

    def test_recovers_the_withheld_diagonal(self, fitted: Recommender) -> None:
        users = [f"u{u:02d}" for u in range(N)]
        recs = fitted.recommend(users, n=1)
        assert [r.items[0] for r in recs] == [f"i{u:02d}" for u in range(N)]

    def test_ranks_own_parity_first_when_rebuys_allowed(self, fitted: Recommender) -> None:
        rec = fitted.recommend(["u03"], n=N // 2, exclude_purchased=False)[0]
        assert all(int(s[1:]) % 2 == 1 for s in rec.items)
        assert rec.scores == sorted(rec.scores, reverse=True)
        assert len(rec.reasons) == len(rec.items) and all(rec.reasons)

    def test_batch_equals_single_calls(self, fitted: Recommender) -> None:
        users = ["u00", "u07", "u12"]
        batch = fitted.recommend(users, n=5, batch_size=2)
        single = [fitted.recommend([u], n=5)[0] for u in users]
        assert [r.items for r in batch] == [r.items for r in single]

    def test_candidates_restrict_and_bad_arguments_are_precise(self, fitted: Recommender) -> None:
        rec = fitted.recommend(["u04"], n=3, candidates=["i01", "i04", "i05"])[0]
        assert rec.items[0] == "i04" and set(rec.items) <= {"i01", "i05", "i04"}
        with pytest.raises(ValueError, match="n must be at least 1"):
            fitted.recommend(["u04"], n=0)
        with pytest.raises(ValueError, match="candidates is empty"):
            fitted.recommend(["u04"], candidates=[])
        with pytest.raises(ValueError, match="nobody bought: \\['nope'\\]"):
            fitted.recommend(["u04"], candidates=["nope"])

    def test_unknown_customer_gets_the_cold_start_path(self, fitted: Recommender) -> None:
        rec = fitted.recommend(["stranger"], n=3)[0]
        assert rec.cold_start and len(rec.items) == 3 and "no purchase history" in rec.reasons[0]

    def test_similar_items_share_the_parity(self, fitted: Recommender) -> None:
        similar = fitted.similar_items("i06", n=5)
        assert len(similar) == 5 and all(int(s[1:]) % 2 == 0 for s, _ in similar)
        assert "i06" not in [s for s, _ in similar]


def test_ease_on_a_large_catalogue_models_its_best_sellers_only() -> None:
    """Beyond ``max_items`` EASE keeps the most-bought products; the rest score zero."""
    data = checkerboard()
    model = EASERecommender(l2=10.0, max_items=N - 4, transform="log1p").fit(data)
    buyers = np.diff(data.purchased.tocsc().indptr)
    dropped = np.argsort(-buyers, kind="stable")[N - 4 :]
    scores = model.scores(np.arange(N))
    assert np.all(scores[:, dropped] == 0) and scores.shape == (N, N)
    kept = [u for u in range(N) if u not in set(dropped)]
    recs = model.recommend([f"u{u:02d}" for u in kept], n=1)
    assert [r.items[0] for r in recs] == [f"i{u:02d}" for u in kept]


def test_buy_again_cycle_raises_a_product_that_is_due() -> None:
    """Two products bought every 30 days, 3 times: the one whose gap has just elapsed
    ranks first under "cycle"; "days" cannot tell them apart."""
    days = {"due": [90, 60, 30], "early": [62, 32, 2]}
    lines = pd.DataFrame(
        [
            ("c", sku, pd.Timestamp("2024-04-01") - pd.Timedelta(days=d))
            for sku, ds in days.items()
            for d in ds
        ],
        columns=["customer_id", "sku", "ts"],
    )
    lines["order_id"], lines["quantity"], lines["unit_price"], lines["is_return"] = (
        "o",
        1,
        1.0,
        False,
    )
    data = build_interactions(lines, as_of=pd.Timestamp("2024-04-01"))
    cycle = BuyAgainRecommender("cycle").fit(data).scores(np.array([0]))[0]
    plain = BuyAgainRecommender("days").fit(data).scores(np.array([0]))[0]
    due, early = data.item_index("due"), data.item_index("early")
    assert plain[due] == plain[early] == 3
    assert cycle[due] > 1.9 * 3 and cycle[early] < 0.85 * cycle[due]


def test_buy_again_active_sinks_a_product_nobody_buys_any_more() -> None:
    """A customer bought two products on 3 days each; other customers still buy "live" this
    month and stopped buying "gone" a year ago: "active" ranks "live" first, "days" ties."""
    as_of = pd.Timestamp("2024-04-01")
    rows = [
        ("c", sku, as_of - pd.Timedelta(days=d)) for sku in ("live", "gone") for d in (90, 60, 30)
    ]
    rows += [(f"o{k}", "live", as_of - pd.Timedelta(days=5 + k)) for k in range(8)]
    rows += [(f"o{k}", "gone", as_of - pd.Timedelta(days=400 + k)) for k in range(8)]
    lines = pd.DataFrame(rows, columns=["customer_id", "sku", "ts"])
    lines["order_id"] = [
        f"{c}-{ts.date()}" for c, ts in zip(lines["customer_id"], lines["ts"], strict=True)
    ]
    lines["quantity"], lines["unit_price"], lines["is_return"] = 1, 1.0, False
    data = build_interactions(lines, as_of=as_of)
    row = np.array([data.user_index("c")])
    live, gone = data.item_index("live"), data.item_index("gone")
    plain = BuyAgainRecommender("days").fit(data).scores(row)[0]
    active = BuyAgainRecommender("active").fit(data).scores(row)[0]
    assert plain[live] == plain[gone] == 3
    # "live": c itself (last bought 30 days ago is not within 30) + 8 others -> (1 + 8)^0.25.
    assert active[gone] == pytest.approx(3.0)
    assert active[live] == pytest.approx(3 * 9**0.25)


def test_user_cf_follows_the_brief_formula() -> None:
    """Hand-computed prediction for one customer with centring on."""
    lines = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "b", "c", "c"],
            "sku": ["x", "y", "x", "y", "z", "x", "z"],
            "quantity": [1, 3, 1, 3, 7, 7, 1],
        }
    ).assign(order_id="o", unit_price=1.0, is_return=False, ts=pd.Timestamp("2024-01-01"))
    data = build_interactions(lines, as_of=pd.Timestamp("2024-02-01"))
    model = UserKNNRecommender(k_neighbours=2, center=True).fit(data)
    r = data.matrix.toarray()
    mean = np.array([row[row > 0].mean() for row in r])
    unit = r / np.linalg.norm(r, axis=1, keepdims=True)
    sim = unit @ unit.T
    a, z = 0, 2
    expected = mean[a] + sum(sim[a, v] * (r[v, z] - mean[v]) for v in (1, 2)) / (
        abs(sim[a, 1]) + abs(sim[a, 2])
    )
    assert model.scores(np.array([a]))[0, z] == pytest.approx(expected, rel=1e-5)


def test_popularity_and_buy_again() -> None:
    data = checkerboard()
    pop = PopularityRecommender().fit(data)
    assert pop.recommend(["u01"], n=1, exclude_purchased=False)[0].cold_start is False
    again = BuyAgainRecommender().fit(data)
    rec = again.recommend(["u01"], n=3, exclude_purchased=False)[0]
    assert all(int(s[1:]) % 2 == 1 for s in rec.items)  # its own purchases


def test_ranking_metrics_known_answer() -> None:
    truth = sp.csr_matrix(np.array([[1, 0, 1, 0], [0, 0, 0, 1]], dtype=np.float32))
    recs = np.array([[2, 1], [0, 1]])
    m = ranking_metrics(recs, truth, np.array([2, 1]), np.full(4, 0.5), 4)
    assert m.hr == 0.5
    assert m.ndcg == pytest.approx((1.0 / (1 + 1 / np.log2(3))) / 2)
    assert m.recall == pytest.approx(0.25)
    assert m.map == pytest.approx(0.25)
    assert m.coverage == pytest.approx(3 / 4)
    assert m.novelty == pytest.approx(1.0)


def test_capped_recall_divides_by_what_the_top_k_could_hold() -> None:
    """Issue 16: recall@k over all test items is below 1 for a perfect top k when a customer
    bought more than k items; the usual definition divides by min(k, |T|)."""
    truth = sp.csr_matrix(np.array([[1, 1, 1, 1, 1]], dtype=np.float32))
    m = ranking_metrics(np.array([[0, 1]]), truth, np.array([5]), np.full(5, 0.5), 5)
    assert m.recall == pytest.approx(2 / 5) and m.recall_capped == pytest.approx(1.0)


# --- the agent-facing tools on the demo shop -------------------------------------------------

from copilot.core.errors import ToolError  # noqa: E402
from tools import ToolContext  # noqa: E402
from tools.recommend import (  # noqa: E402
    frequently_bought_with,
    recommend_for_segment,
    recommend_products,
    similar_products,
)


def test_planted_pairs_are_in_each_others_top5(demo_ctx: ToolContext) -> None:
    pairs = demo_ctx.truths["co_purchase_pairs"]  # type: ignore[attr-defined]
    missed = []
    for a, b in pairs:
        if b not in [i.sku for i in similar_products(demo_ctx, sku=a).items]:
            missed.append((a, b))
        if a not in [i.sku for i in similar_products(demo_ctx, sku=b).items]:
            missed.append((b, a))
    assert not missed, missed


def test_frequently_bought_with_finds_the_partner_with_lift(demo_ctx: ToolContext) -> None:
    a, b = demo_ctx.truths["co_purchase_pairs"][0]  # type: ignore[attr-defined]
    res = frequently_bought_with(demo_ctx, sku=a, n=3)
    top = res.items[0]
    assert top.sku == b and top.lift is not None and top.lift > 10
    assert (
        res.orders_with_sku and top.together_orders and top.together_orders <= res.orders_with_sku
    )


def test_recommend_products_personal_and_cold(demo_ctx: ToolContext) -> None:
    rec = recommend_products(demo_ctx, customer_id="C10001", n=5)
    assert not rec.cold_start and len(rec.items) == 5
    bought = set(demo_ctx.shop.order_lines().query("customer_id == 'C10001'")["sku"])
    assert not bought & {i.sku for i in rec.items}
    assert all(i.reason and i.title for i in rec.items)
    assert any("(" in i.reason for i in rec.items)  # purchased products named by title
    again = recommend_products(demo_ctx, customer_id="C10001", n=5, exclude_purchased=False)
    assert bought & {i.sku for i in again.items}  # re-buys allowed and likely
    customers = set(demo_ctx.shop.customers()["customer_id"])
    never = sorted(customers - set(demo_ctx.shop.order_lines()["customer_id"].dropna()))
    cold = recommend_products(demo_ctx, customer_id=never[0], n=3)
    assert cold.cold_start and "no purchase history" in cold.note and len(cold.items) == 3
    with pytest.raises(ToolError, match="unknown customer 'C99999999'"):
        recommend_products(demo_ctx, customer_id="C99999999")


def test_recommend_for_segment_counts_suited_customers(demo_ctx: ToolContext) -> None:
    picks = recommend_for_segment(demo_ctx, segment="champions", n=5)
    assert picks.customers > 0 and len(picks.items) == 5
    counts = [i.customers_suited for i in picks.items]
    assert counts == sorted(counts, reverse=True) and counts[0] <= picks.customers
    with pytest.raises(ToolError, match="Input should be"):
        recommend_for_segment(demo_ctx, segment="nobody")


def test_unknown_sku_suggests_close_codes(demo_ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="Did you mean: CT-0001"):
        similar_products(demo_ctx, sku="CT-001")
    assert similar_products(demo_ctx, sku="ct-0001").sku == "CT-0001"


def test_evaluate_recs_command_writes_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from copilot.cli import main

    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "home"))
    assert main(["demo", "--customers", "600", "--products", "60"]) == 0
    out = tmp_path / "recs.json"
    assert main(["evaluate-recs", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| hybrid | new |" in printed and "cold customers" in printed
    assert "hybrid, all items: ships" in printed and "best single component" in printed
    rows = json.loads(out.read_text())
    models = {(r["model"], r["mode"]) for r in rows}
    assert {
        ("hybrid", "all"),
        ("hybrid", "new"),
        ("user_cf", "new"),
        ("ease[binary]", "new"),
        ("buy_again[cycle]", "all"),
    } <= models
    for r in rows:
        if r["customers"]:
            assert 0 <= r["ndcg"] <= r["hr"] <= 1 and 0 <= r["coverage"] <= 1
    hybrid_new = next(
        r for r in rows if r["model"] == "hybrid" and r["mode"] == "new" and r["group"] == "all"
    )
    pop_new = next(
        r for r in rows if r["model"] == "popularity" and r["mode"] == "new" and r["group"] == "all"
    )
    assert hybrid_new["ndcg"] > pop_new["ndcg"]


def test_a_component_no_mode_uses_is_never_fitted(
    demo_ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: the content model was fitted for the shop although tuning gave it weight 0."""
    from tools.recommend import pipeline
    from tools.recommend.components import make_components
    from tools.recommend.hybrid import Tuning

    weights = {n: 0.0 for n in make_components({})}
    chosen = {
        "all": Tuning({**weights, "buy_again[days]": 1.0}, 0.1, {}),
        "new": Tuning({**weights, "popularity": 1.0}, 0.1, {}),
    }
    monkeypatch.setattr(pipeline, "tune", lambda *a, **k: chosen)
    fitted: list[str] = []
    original = Recommender.fit

    def counting(self: Recommender, data: Interactions) -> Recommender:
        fitted.append(self.name)
        return original(self, data)

    monkeypatch.setattr(Recommender, "fit", counting)
    shop = demo_ctx.shop
    rec = pipeline.fit_shop_recommender(shop.order_lines(), None, shop.products())
    assert sorted(fitted) == ["buy_again", "item_cf", "popularity"]  # item-CF: similar items
    [picks] = rec.for_mode(exclude_purchased=True).recommend([str(rec.data.users[0])], 3)
    assert len(picks.items) == 3 and not picks.cold_start


class _Fixed(Recommender):
    """Returns the same scores for every customer (for tuning known answers)."""

    def __init__(self, name: str, scores: list[float]) -> None:
        self.name, self._scores = name, np.array(scores, dtype=np.float32)

    def _fit(self, data: Interactions) -> None:
        pass

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self._scores, (len(rows), 1))


def test_a_blend_ships_only_when_it_beats_every_component_alone() -> None:
    """Issue 16: with re-buys the hybrid scored below its own buy-again component on unseen
    data. A component that any blend would dilute ships alone, and the note says so."""
    from tools.recommend.hybrid import tune_weights

    good, noise = _Fixed("good", [1.0, 0.0]), _Fixed("noise", [0.0, 1.0])
    rows = np.arange(3)

    def objective(scores: np.ndarray) -> float:
        return float(scores[:, 0].mean() - scores[:, 1].mean())

    tuning = tune_weights({"noise": noise, "good": good}, rows, objective, (0.0, 0.5, 1.0))
    assert tuning.weights == {"noise": 0.0, "good": 1.0}
    assert tuning.singles == {"noise": -1.0, "good": 1.0}
    assert tuning.note().startswith("ships good alone")
    helper = _Fixed("helper", [1.0, 0.5])  # breaks no tie alone, lifts item 0 in a blend

    def wants_both(scores: np.ndarray) -> float:
        return float(min(scores[:, 0].mean(), 1.2) - abs(scores[:, 1].mean() - 0.5))

    blend = tune_weights({"good": good, "helper": helper}, rows, wants_both, (0.0, 0.5, 1.0))
    assert sum(w > 0 for w in blend.weights.values()) == 2
    assert blend.value > max(blend.singles.values())
    assert blend.note().startswith("ships the blend")


def test_a_product_nobody_bought_goes_to_buyers_of_textually_similar_products() -> None:
    """Issue 16: a new product has no purchases, so only its text can place it. Customers
    who bought mugs get the new mug among the new arrivals; notebook buyers get the new
    notebook; and no new arrival displaces a product another component scores."""
    from tools.recommend.pipeline import fit_shop_recommender

    rng = np.random.default_rng(0)
    kinds = {"mug": "ceramic coffee mug kitchen", "book": "paper notebook stationery desk"}
    products = pd.DataFrame(
        [(f"{k}{i}", f"{text} style {i}") for k, text in kinds.items() for i in range(8)]
        + [
            ("mugNEW", "ceramic coffee mug kitchen style new"),
            ("bookNEW", "paper notebook stationery desk style new"),
        ],
        columns=["sku", "title"],
    )
    rows = []
    for c in range(60):
        kind = "mug" if c % 2 else "book"
        for day in range(0, 200, 20):
            sku = f"{kind}{rng.integers(0, 8)}"
            rows.append(
                (f"c{c:02d}", sku, pd.Timestamp("2024-01-01") + pd.Timedelta(days=day + c % 7))
            )
    lines = pd.DataFrame(rows, columns=["customer_id", "sku", "ts"])
    lines["order_id"] = lines["customer_id"] + lines["ts"].astype(str)
    lines["quantity"], lines["unit_price"], lines["is_return"] = 1, 1.0, False
    shop = fit_shop_recommender(lines, None, products, window_days=40)
    assert shop.data.item_index("mugNEW") is not None  # a column although nobody bought it
    hybrid = shop.for_mode(exclude_purchased=True)
    new = ["mugNEW", "bookNEW"]
    for customer, expected in (("c01", "mugNEW"), ("c02", "bookNEW")):
        [picks] = hybrid.recommend([customer], n=1, candidates=new)
        assert picks.items == [expected]
        assert picks.reasons[0].kind == "similar_to"
        [top] = hybrid.recommend([customer], n=3)
        assert not set(top.items) & set(new)
