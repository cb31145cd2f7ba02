"""Findings of the profiling tools: segments, customer lists, one customer, the score's weights."""

from __future__ import annotations

from tools.findings.say import Say
from tools.findings.types import Findings, NextStep
from tools.profiling.features import is_share, label
from tools.profiling.results import (
    CustomerCard,
    CustomerList,
    CustomerRow,
    ScoreWeights,
    SegmentOverview,
    SegmentRow,
)
from tools.profiling.segments import EVERYONE, SEGMENT_LABELS, Trait


def segment_name(key: str, say: Say) -> str:
    """A segment key in words: "At risk" / "有流失风险", "cluster 2" / "客群 2"."""
    if key in SEGMENT_LABELS:
        en, zh = SEGMENT_LABELS[key]
        return zh if say.lang == "zh" else en
    if key == EVERYONE[0]:
        return EVERYONE[2] if say.lang == "zh" else EVERYONE[1]
    if key.startswith("cluster"):
        return say("segment.cluster", n=key.split()[-1])
    return key


def _row_name(row: SegmentRow, say: Say) -> str:
    return segment_name(row.segment, say)


def _trait(trait: Trait, say: Say) -> str:
    fmt = say.pct if is_share(trait.feature) else (lambda v: say.num(v, 1))
    return say(
        "cluster.trait_high" if trait.high else "cluster.trait_low",
        feature=label(trait.feature, say.lang),
        value=fmt(trait.mean),
        overall=fmt(trait.overall),
    )


def segment_overview(result: SegmentOverview, say: Say) -> Findings:
    """Who brings the revenue, where the churn risk and the value are; clusters by traits."""
    rows = result.segments
    if not rows:
        return Findings((say("segment.none"),))
    top = max(rows, key=lambda r: r.revenue_share)
    risky = max(rows, key=lambda r: r.avg_churn_risk)
    valuable = max(rows, key=lambda r: r.avg_clv_12m)
    # The follow-up worth suggesting: the group with the most predicted value at risk.
    at_stake = max(rows, key=lambda r: r.avg_churn_risk * r.avg_clv_12m * r.customers)
    if result.kind == "cluster":
        head = say("cluster.head", k=len(rows), total=say.count(result.total_customers))
        items = [
            say(
                "cluster.item",
                name=_row_name(r, say),
                customers=say.count(r.customers),
                share=say.pct(r.share),
                revenue_share=say.pct(r.revenue_share),
                traits=say.join([_trait(t, say) for t in r.traits]),
            )
            for r in rows
        ]
    else:
        head = say(
            "segment.head",
            total=say.count(result.total_customers),
            n=len(rows),
            as_of=result.as_of,
        )
        items = [
            say(
                "segment.item",
                name=_row_name(r, say),
                customers=say.count(r.customers),
                share=say.pct(r.share),
                revenue_share=say.pct(r.revenue_share),
                churn=say.pct(r.avg_churn_risk),
                clv=say.money(r.avg_clv_12m),
            )
            for r in rows
        ]
    sentences = (
        head,
        say(
            "segment.top_revenue",
            name=_row_name(top, say),
            revenue_share=say.pct(top.revenue_share),
            share=say.pct(top.share),
            customers=say.count(top.customers),
        ),
        say(
            "segment.extremes",
            risky=_row_name(risky, say),
            churn=say.pct(risky.avg_churn_risk),
            days=result.horizon_days,
            valuable=_row_name(valuable, say),
            clv=say.money(valuable.avg_clv_12m),
        ),
    )
    steps = [
        NextStep(
            say("segment.next_find", name=_row_name(at_stake, say)),
            "find_customers",
            {"segment": at_stake.segment},
        ),
        NextStep(
            say("segment.next_products", name=_row_name(valuable, say)),
            "recommend_for_segment",
            {"segment": valuable.segment},
        ),
    ]
    return Findings(sentences, tuple(items), tuple(steps))


def _condition(name: str, value: object, say: Say) -> str:
    if name == "segment":
        return say("filter.segment", name=segment_name(str(value), say))
    if name == "min_clv":
        return say("filter.min_clv", amount=say.money(float(value)))  # type: ignore[arg-type]
    if name == "churn_risk_above":
        return say("filter.churn", risk=say.pct(float(value)))  # type: ignore[arg-type]
    if name == "country":
        return say("filter.country", country=value)
    if name == "inactive_days_over":
        return say("filter.inactive", days=value)
    return f"{name} {value}"


def _customer_item(row: CustomerRow, say: Say) -> str:
    return say(
        "customers.item",
        id=row.customer_id,
        country=row.country or "?",
        segment=segment_name(row.rfm_segment, say),
        clv=say.money(row.clv_12m),
        churn=say.pct(row.churn_risk),
        days=say.days(row.recency_days),
    )


def find_customers(result: CustomerList, say: Say) -> Findings:
    """How many match and what they are worth; for none, which condition emptied the list."""
    conditions = [_condition(k, v, say) for k, v in result.filters.items()]
    where = say.join(conditions) if conditions else say("filter.all")
    if result.count == 0:
        items = []
        for r in sorted(result.relaxed, key=lambda r: -(r.without or 0)):
            named = _condition(r.condition, result.filters.get(r.condition), say)
            if r.without:
                items.append(say("customers.without", condition=named, n=say.count(r.without)))
            else:
                items.append(say("customers.alone", condition=named, n=say.count(r.alone)))
        sentences = [say("customers.none", where=where, n=say.count(result.count))]
        if len(result.relaxed) > 1:
            sentences.append(say("customers.combination"))
        return Findings(tuple(sentences), tuple(items))
    sentences = [
        say(
            "customers.head",
            n=say.count(result.count),
            where=where,
            share=say.pct(result.share),
            total=say.count(result.total_customers),
        ),
        say(
            "customers.value",
            revenue=say.money(result.total_revenue),
            clv=say.money(result.total_clv_12m),
        ),
    ]
    if "churn_risk_above" in result.filters or result.sorted_by == "churn_risk":
        sentences.append(say("customers.churn_meaning", days=result.horizon_days))
    sort = say(f"customers.sort_{result.sorted_by}")
    sentences.append(say("customers.top", k=len(result.top), sort=sort))
    steps = []
    if result.top:
        first = result.top[0].customer_id
        steps.append(
            NextStep(
                say("customers.next_profile", id=first), "profile_customer", {"customer_id": first}
            )
        )
    segment = result.filters.get("segment")
    if isinstance(segment, str):
        steps.append(
            NextStep(
                say("segment.next_products", name=segment_name(segment, say)),
                "recommend_for_segment",
                {"segment": segment},
            )
        )
    return Findings(
        tuple(sentences), tuple(_customer_item(r, say) for r in result.top), tuple(steps)
    )


def profile_customer(result: CustomerCard, say: Say) -> Findings:
    """Who the customer is, how likely they buy again and what they are worth."""
    f = result.features
    sentences = [
        say(
            "customer.head",
            id=result.customer_id,
            segment=segment_name(result.rfm_segment, say),
            country=result.country or "?",
            orders=say.count(f.get("frequency", 0)),
            spend=say.money(f.get("monetary", 0.0)),
            days=say.days(f.get("recency_days", 0)),
        ),
        say(
            "customer.outlook",
            days=result.horizon_days,
            p=say.pct(result.purchase_prob),
            churn=say.pct(result.churn_risk),
            clv=say.money(result.clv_12m),
            purchases=say.num(result.expected_purchases_12m, 1),
        ),
    ]
    ups = [d.label if say.lang == "en" else label(d.feature, "zh") for d in result.pushes_up]
    downs = [d.label if say.lang == "en" else label(d.feature, "zh") for d in result.pushes_down]
    if ups or downs:
        sentences.append(
            say(
                "customer.drivers",
                up=say.join(ups[:2]) or say("common.nothing"),
                down=say.join(downs[:2]) or say("common.nothing"),
            )
        )
    steps = (
        NextStep(
            say("customer.next_recommend", id=result.customer_id),
            "recommend_products",
            {"customer_id": result.customer_id},
        ),
    )
    return Findings(tuple(sentences), (), steps)


def profile_weights(result: ScoreWeights, say: Say) -> Findings:
    """The AUC as the ranking measure it is, against simpler models, and the main drivers."""
    auc = result.holdout_auc
    score = auc.get("profile_score", float("nan"))
    sentences = [
        say(
            "weights.auc",
            days=result.horizon_days,
            auc=say.num(score),
            pct=say.pct(score),
        ),
        say(
            "weights.baselines",
            rfm=say.num(auc.get("rfm_model", float("nan"))),
            recency=say.num(auc.get("recency_rule", float("nan"))),
            base=say.pct(result.base_rate),
        ),
    ]
    ups = [w for w in result.weights if w.value > 0][:2]
    downs = [w for w in result.weights if w.value < 0][:2]
    sentences.append(
        say(
            "weights.drivers",
            up=say.join([label(w.feature, say.lang) for w in ups]) or say("common.nothing"),
            down=say.join([label(w.feature, say.lang) for w in downs]) or say("common.nothing"),
        )
    )
    items = [
        say("weights.item", feature=label(w.feature, say.lang), weight=say.num(w.value))
        for w in result.weights[:6]
    ]
    return Findings(tuple(sentences), tuple(items))
