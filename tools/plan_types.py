"""The campaign plan as typed sections; its JSON schema is generated from these types.

The constraints of the JSON contract (what the ``plan`` scorer and outside evaluators check)
sit on the fields, so the schema cannot drift from the code. Outcomes, KPIs and risks are
codes; their words, in English and Chinese, live in ``tools/findings/wording.yaml``. The few
English texts a section carries (``summary``, ``rationale``, a risk's ``text``) are rendered
from those codes for readers of the JSON, the model among them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, with_config

from copilot.core.vocabulary import Channel
from tools._brief import BRIEF_OFF
from tools.plan_goal import AudienceBasis
from tools.plan_verdict import Verdict, VerdictReason
from tools.pricing.discount import AssumptionCode, Outcome

OfferOutcome = Outcome
"""What the segment's discount analysis found (tools.pricing.discount)."""
"""What the discount analysis concluded: a depth pays within the budget, a profitable depth
costs more than the budget, no depth raises profit, or the audience bought nothing lately."""
ChannelBasis = Literal["best_past_return", "user", "default"]
"""Why the channel: the best past revenue per 1 spent, the user's choice, or no past campaign
to compare channels by."""
KpiCode = Literal["revenue_per_customer", "purchase_rate", "discount_cost", "opt_out_rate"]
RiskCode = Literal["over_budget", "no_profit", "no_baseline", "pull_forward", "holdout_contact"]
BudgetNote = Literal["spent", "best_depth_cheaper", "chosen_depth", "no_price_offer", "over_budget"]
"""Why part of the budget is left: nothing is left; a deeper discount would earn less; the
manager's chosen offer needs no more; no price
offer pays, so only the channel costs; the profitable depth costs more than the budget."""
EffectBasis = Literal["forecast", "break_even", "none"]
"""The effect the holdout must detect: the plan's forecast, or (without a price offer) the rise
in revenue the campaign needs to pay for itself, or none (nothing costs anything)."""

_STRICT = ConfigDict(
    extra="forbid",
    use_attribute_docstrings=True,
    json_schema_serialization_defaults_required=True,
)
Text = Annotated[str, Field(min_length=1)]
Share = Annotated[float, Field(ge=0, le=1)]
Amount = Annotated[float, Field(ge=0)]
Range = tuple[float, float]


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanAudience:
    """The RFM segment the campaign targets."""

    segment: Text
    label: Text
    label_zh: str
    definition: str
    """The segment's rule on the R and F scores (1-5), e.g. "R 1-2 and F 3-4"."""
    customers: Annotated[int, Field(ge=1)]
    avg_churn_risk: Share
    avg_clv_12m: Amount
    bought_skus: list[str] = field(metadata=BRIEF_OFF)
    """Only the segment's customers who bought one of these products (empty: all of it)."""
    filters: dict[str, float | str]
    """Only those passing a customer list's filters (min_clv, churn_risk_above, country,
    inactive_days_over; empty: none)."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanReading:
    """How the goal's words were read."""

    audience_basis: AudienceBasis
    """Whether the segment was named by the user, read from the goal's words, or the default."""
    word: str | None
    """The goal's word that named products or a category (None: the whole catalogue)."""
    by_title: bool
    """The word matched product names (else it named a category)."""
    products: Annotated[int, Field(ge=0)]
    """Products the plan is about (0: the whole catalogue)."""
    category: str | None
    repeat: bool
    """The goal asks for repeat purchases: featured products may be ones bought before."""
    buyers_only: bool
    """The audience is restricted to past buyers of those products."""
    text: Text
    """The reading in English words."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanOffer:
    """The discount for the treated customers, from the discount analysis of the segment."""

    outcome: OfferOutcome = field(metadata=BRIEF_OFF)
    depth_pct: Annotated[float, Field(ge=0, le=100)] | None
    """The discount in percent; None without a price offer."""
    chosen_by: Literal["analysis", "manager"]
    """Who chose the depth: the analysis (the most profitable within the budget; None unless
    the outcome is "offer") or the manager (priced even when it loses money)."""
    summary: Text
    """The outcome in English words (rendered from ``outcome`` and the numbers)."""
    promo_response: float
    """How strongly the segment responds to promotions relative to other customers (1 = the
    same); the discount's elasticities are scaled by it."""
    discount_cost: Amount
    """Money given away on the treated customers' purchases (0 without an offer)."""
    incremental_profit: float
    """Incremental profit of the discount on the treated customers, before channel cost."""
    baseline_weeks: Annotated[int, Field(ge=1)] = field(metadata=BRIEF_OFF)
    """The weeks of past purchases the discount's baseline is taken from."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanProduct:
    """A product to feature: many of the segment have it in their personal top picks."""

    sku: Text
    title: Text
    title_zh: str | None
    customers_suited: Annotated[int, Field(ge=0)]


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanChannel:
    """The channel and why it was chosen."""

    name: Channel
    basis: ChannelBasis = field(metadata=BRIEF_OFF)
    rationale: Text
    """The basis in English words (rendered from ``basis``, ``roas`` and ``past_campaigns``)."""
    roas: float | None
    """Past revenue per 1 spent on the channel, when that chose it."""
    past_campaigns: Annotated[int, Field(ge=0)]
    cost_per_send: Amount = field(metadata=BRIEF_OFF)
    """The past average cost of one send; the channel cost is this x treated customers x
    weeks."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanTiming:
    """When the campaign runs."""

    start: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    weeks: Annotated[int, Field(ge=1, le=12)]


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanBudget:
    """The budget split; ``unallocated`` may dip a cent below 0 from rounding."""

    offer_cost: Amount
    channel_cost: Amount
    unallocated: Annotated[float, Field(ge=-0.01)]
    total: Annotated[float, Field(gt=0)]
    needed: Amount
    """The budget the plan's most profitable version needs: more changes nothing, less moves it
    to a shallower offer, none, or fewer weeks."""
    remainder: BudgetNote
    text: Text
    """Why the remainder is left, in English words."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanExpected:
    """Incremental revenue and profit against no campaign, for the treated customers."""

    revenue: float
    profit: float
    """After the discount and the channel cost."""
    revenue_range: Range
    """Half to one and a half times the point estimate (response uncertainty is not modelled
    in detail)."""
    profit_range: Range
    break_even_revenue: Amount | None
    """Without a price offer: the incremental revenue that would pay for the channel."""
    model_revenue: float
    model_profit: float
    """The discount analysis's own figures (equal to the above unless past campaigns moved
    them)."""
    measured_plans: list[int]
    """Measured plans for the same segment and kind of offer whose read-outs moved them."""
    measured_revenue_week: float | None
    """Their pooled incremental revenue per treated customer and week."""
    measured_revenue_week_se: float | None
    history: str | None
    """How the measurements moved the forecast, in English words (None: nothing measured)."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanAbTest:
    """The random holdout that measures the campaign."""

    holdout_share: Annotated[float, Field(gt=0, lt=1)]
    holdout: Annotated[int, Field(ge=1)]
    treated: Annotated[int, Field(ge=1)]
    weeks: Annotated[int, Field(ge=1)]
    baseline_rate: Share
    """The chance a customer of the segment buys within the campaign window."""
    detectable_lift_pct: Amount
    """The smallest rise in the purchase rate, in percentage points, the test can detect."""
    effect_basis: EffectBasis
    effect_per_customer: float
    """The rise in revenue per treated customer the test must detect (see ``effect_basis``)."""
    detectable_per_customer: Amount
    """The smallest rise in revenue per customer it detects (80% power, 5% level, adjusted
    for each customer's earlier spend as the read-out does)."""
    underpowered: bool
    needed_holdout: Annotated[int, Field(ge=1)] | None
    """The holdout that would detect the effect, when the planned one does not."""
    needed_weeks: Annotated[int, Field(ge=1)] | None
    """Else the campaign length (half held out) that would."""
    needed_customers: Annotated[int, Field(ge=1)] | None
    """Else the audience size (half held out) that would at the planned length."""
    text: Text
    """What the test can tell, in English words."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanVerdict:
    """Run, run smaller or do not run, and why."""

    code: Verdict
    reason: VerdictReason = field(metadata=BRIEF_OFF)
    text: Text
    """The verdict and its reason in English words."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanAlternative:
    """Another way to run the campaign, priced by the same analysis."""

    channel: Channel
    customers: Annotated[int, Field(ge=1)]
    treated: Annotated[int, Field(ge=1)]
    weeks: Annotated[int, Field(ge=1, le=12)]
    recent_only: bool
    """Only the audience's customers who bought in the discount's baseline weeks."""
    depth_pct: Annotated[float, Field(ge=0, le=100)] | None
    cost: Amount
    revenue: float
    profit: float
    text: Text
    """The alternative in English words."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanRisk:
    """A risk to watch."""

    code: RiskCode = field(metadata=BRIEF_OFF)
    text: Text
    """The risk in English words (rendered from ``code``)."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class PlanAssumption:
    """One assumption of the discount analysis behind the offer."""

    code: AssumptionCode = field(metadata=BRIEF_OFF)
    values: dict[str, float] = field(metadata=BRIEF_OFF)
    """The numbers it states (weeks, units per week, elasticities, shares as fractions)."""
    text: Text
    """The assumption in English words (rendered from ``code`` and ``values``)."""


@with_config(_STRICT)
@dataclass(frozen=True, kw_only=True)
class CampaignPlan:
    """A proposal a manager can approve; nothing is executed."""

    goal: Annotated[str, Field(min_length=3)]
    """The user's words."""
    verdict: PlanVerdict
    reading: PlanReading
    objective: Annotated[str, Field(min_length=10)]
    audience: PlanAudience
    offer: PlanOffer
    products: list[PlanProduct]
    channel: PlanChannel
    timing: PlanTiming
    budget: PlanBudget
    expected: PlanExpected
    ab_test: PlanAbTest
    alternatives: list[PlanAlternative]
    """Cheaper ways to run it, best first (shown when the plan does not make money)."""
    kpis: Annotated[list[KpiCode], Field(min_length=1)] = field(metadata=BRIEF_OFF)
    risks: list[PlanRisk]
    assumptions: Annotated[list[PlanAssumption], Field(min_length=1)] = field(metadata=BRIEF_OFF)
    """The discount analysis's assumption chain."""

    def to_markdown(self, language: str = "en", narrative: str | None = None) -> str:
        """The plan as Markdown in English or Chinese (numbers as the tools computed them)."""
        from tools.plan_markdown import plan_markdown  # tools.findings imports this module

        return plan_markdown(self, language, narrative)

    def to_json_dict(self) -> dict[str, Any]:
        """The plan as plain JSON values (the ranges as pairs)."""
        return asdict(self)


@cache
def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``CampaignPlan.to_json_dict()``."""
    schema = TypeAdapter(CampaignPlan).json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "copilot-campaign-plan",
        **schema,
    }
