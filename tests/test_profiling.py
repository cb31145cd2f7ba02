"""Customer profiling: known-answer features, planted segments, score, CLV, agent tools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from copilot.core.errors import ToolError
from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.shop.transform import Shaped
from copilot.shop.writes import write_shaped
from tools import ToolContext
from tools.profiling import (
    find_customers,
    profile_customer,
    profile_weights,
    segment_overview,
)
from tools.profiling.api import profiles, segment_mask
from tools.profiling.features import customer_features
from tools.profiling.segments import RFM_GRID, RFM_SEGMENTS


def _truth(ctx: ToolContext, index: pd.Index) -> pd.Series:
    return pd.Series(ctx.truths["segments"]["customer_segment"]).reindex(index)  # type: ignore[attr-defined]


def test_features_known_answer() -> None:
    t = pd.Timestamp
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "2", "3", "R3", "4"],
            "customer_id": ["a", "a", "a", "a", "a", "b"],
            "sku": ["X", "Y", "X", "Y", "Y", "X"],
            "quantity": [2, 1, 1, 4, -1, 1],
            "unit_price": [10.0, 5.0, 8.0, 5.0, 5.0, 10.0],
            "ts": [
                t("2024-01-01 10:00"),
                t("2024-01-01 10:00"),
                t("2024-01-11 09:00"),
                t("2024-01-31 12:00"),
                t("2024-02-02"),
                t("2024-01-21"),
            ],
            "is_return": [False, False, False, False, True, False],
            "promo": [False, False, True, False, False, False],
        }
    )
    products = pd.DataFrame(
        {"sku": ["X", "Y"], "category": ["Mugs", "Tea"], "list_price": [10.0, 5.0]}
    )
    customers = pd.DataFrame({"customer_id": ["a", "b"], "country": ["UK", "China"]})
    f = customer_features(lines, products, customers, None, t("2024-02-10"))
    a = f.loc["a"]
    assert a["frequency"] == 3 and a["purchase_days"] == 3
    assert a["monetary"] == pytest.approx(20 + 5 + 8 + 20)
    assert a["aov"] == pytest.approx(53 / 3)
    assert a["basket_size"] == pytest.approx(4 / 3)
    assert a["recency_days"] == pytest.approx(9.5)
    assert a["ipt_mean_days"] == pytest.approx(15.0)  # gaps of 10 and 20 days
    assert a["promo_share"] == pytest.approx(8 / 53)
    assert a["return_rate"] == pytest.approx(1 / 8)
    assert a["cat_share:Tea"] == pytest.approx(25 / 53)
    assert f.loc["b", "country"] == "China" and f.loc["b", "ipt_mean_days"] == pytest.approx(20)


def test_rfm_grid_assigns_every_cell_to_exactly_one_named_segment() -> None:
    cells = {(r, f): RFM_GRID[r, f] for r in range(1, 6) for f in range(1, 6)}
    assert set(cells.values()) == {key for key, *_ in RFM_SEGMENTS}
    assert cells[(5, 5)] == "champions" and cells[(1, 1)] == "lost"
    assert cells[(1, 5)] == "cannot_lose" and cells[(5, 1)] == "new"


def test_clusters_recover_planted_segments(demo_ctx: ToolContext) -> None:
    """Bar: ARI >= 0.5. Clustering the same customers on R, F, M alone reaches ~0.4, and the
    best partition that merges two planted segments (deal seekers and regulars, who share a
    taste for snacks) scores ~0.55; above 0.5 the clusters carry real segment structure."""
    prof = profiles(demo_ctx)
    truth = _truth(demo_ctx, prof.table.index)
    ari = adjusted_rand_score(truth, prof.table["cluster"])
    rfm = np.log1p(prof.table[["recency_days", "frequency", "monetary"]])
    rfm_only = KMeans(5, n_init=4, random_state=0).fit_predict(StandardScaler().fit_transform(rfm))
    baseline = adjusted_rand_score(truth, rfm_only)
    print(f"ARI clusters {ari:.3f} (k={prof.clustering.k}) vs RFM-only k-means {baseline:.3f}")
    assert ari >= 0.5 and ari > baseline + 0.1


def test_learned_score_beats_recency_and_flags_the_lapsed(demo_ctx: ToolContext) -> None:
    prof = profiles(demo_ctx)
    auc = prof.score.auc
    print(f"hold-out AUC {auc}, Brier {prof.score.brier:.4f}")
    assert auc["profile_score"] > auc["recency_rule"] and auc["profile_score"] > 0.8
    assert prof.score.brier < 0.15
    w = prof.score.weights
    assert w["recency_days"] < 0 < w["frequency"]
    truth = _truth(demo_ctx, prof.table.index)
    risk = prof.table["churn_risk"].groupby(truth).mean()
    assert risk.idxmax() == "lapsed" and risk["lapsed"] > 0.7 > 0.2 > risk["vip"]


def test_clv_holdout_is_reported_and_sane(demo_ctx: ToolContext) -> None:
    clv = profiles(demo_ctx).clv
    print(f"CLV hold-out {clv.holdout}")
    assert clv.holdout["correlation"] > 0.7
    assert abs(clv.holdout["aggregate_error"]) < 0.2
    table = profiles(demo_ctx).table
    truth = _truth(demo_ctx, table.index)
    assert table["clv_12m"].groupby(truth).mean().idxmax() == "vip"
    assert table["p_alive"].groupby(truth).mean().idxmin() == "lapsed"


def test_segment_overview_adds_up(demo_ctx: ToolContext) -> None:
    for kind in ("rfm", "cluster"):
        ov = segment_overview(demo_ctx, kind=kind)
        assert sum(s.customers for s in ov.segments) == ov.total_customers
        assert sum(s.revenue_share for s in ov.segments) == pytest.approx(1.0)
        assert all(s.rule for s in ov.segments)
    assert len(segment_overview(demo_ctx).to_frame()) >= 8
    assert (
        "churn risk"
        in profile_customer(demo_ctx, customer_id="C10001").to_frame()["field"].tolist()
    )


def test_find_customers_filters_and_exports(demo_ctx: ToolContext, tmp_path: Path) -> None:
    t = profiles(demo_ctx).table
    res = find_customers(demo_ctx, segment="at_risk", churn_risk_above=0.5, limit=5)
    expected = t[(t["rfm_segment"] == "at_risk") & (t["churn_risk"] > 0.5)]
    assert res.count == len(expected) and len(res.top) == min(5, len(expected))
    assert res.total_revenue == pytest.approx(expected["monetary"].sum())
    assert [r.clv_12m for r in res.top] == sorted((r.clv_12m for r in res.top), reverse=True)
    at_risk = (t["rfm_segment"] == "at_risk").sum()
    assert segment_mask(t, "有流失风险").sum() == segment_mask(t, "At risk").sum() == at_risk
    none = find_customers(demo_ctx, min_clv=1e12)
    assert none.count == 0 and none.top == [] and none.total_clv_12m == 0
    path = res.export_csv(tmp_path / "at_risk.csv")
    assert len(pd.read_csv(path)) == res.count
    with pytest.raises(ToolError, match="segment: Input should be 'champions'"):
        find_customers(demo_ctx, segment="sleepy")
    with pytest.raises(ToolError, match="unknown segment 'sleepy'.*champions"):
        segment_mask(t, "sleepy")
    with pytest.raises(ToolError, match="countries in the data include Germany"):
        find_customers(demo_ctx, country="Germny")


def test_profile_customer_card_and_unknown_ids(demo_ctx: ToolContext) -> None:
    card = profile_customer(demo_ctx, customer_id="C10001")
    assert card.customer_id == "C10001" and 0 <= card.churn_risk <= 1
    assert card.purchase_prob == pytest.approx(1 - card.churn_risk)
    assert card.last_orders and card.last_orders[0].date >= card.last_orders[-1].date
    assert all(d.value > 0 for d in card.pushes_up) and all(d.value < 0 for d in card.pushes_down)
    # An id written another way (case, dash, spaces) is the same customer.
    assert profile_customer(demo_ctx, customer_id="c-10001 ").customer_id == "C10001"
    with pytest.raises(ToolError, match="Closest ids: C10001.*find_customers"):
        profile_customer(demo_ctx, customer_id="C10001x")


def test_profile_weights_name_every_feature(demo_ctx: ToolContext) -> None:
    w = profile_weights(demo_ctx)
    assert set(w.holdout_auc) == {"profile_score", "rfm_model", "recency_rule"}
    assert {d.feature for d in w.weights} == set(profiles(demo_ctx).score.features)
    assert all(d.label for d in w.weights)


def test_models_are_cached_per_data_version(demo_ctx: ToolContext) -> None:
    first = profiles(demo_ctx)
    assert profiles(demo_ctx) is first


def test_too_little_history_is_a_tool_error(tmp_path: Path) -> None:
    shop = ShopData.open(f"sqlite:///{tmp_path / 'small.db'}")
    lines = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(60)],
            "line_no": 1,
            "customer_id": [f"c{i % 20}" for i in range(60)],
            "sku": "X",
            "quantity": 1,
            "unit_price": 2.0,
            "is_return": False,
            "ts": pd.date_range("2024-01-01", periods=60, freq="D"),
        }
    )
    write_shaped(shop, Shaped(tables={"order_lines": lines}, rows_kept=60), None)
    ctx = ToolContext(shop, Settings(home=tmp_path))
    with pytest.raises(ToolError, match="60 days of customer history"):
        segment_overview(ctx)
