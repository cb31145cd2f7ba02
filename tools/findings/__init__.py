"""Findings: every tool result states its own answer, in the question's language.

``describe(result, language, currency)`` returns the headline sentences, list items and next
steps for any tool result; the wording lives in ``wording.yaml``. The agent shows findings as
the answer with a small local model, and as the fallback and the model's reading otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.campaigns.readout import CampaignReadout
from tools.campaigns.results import CampaignReport
from tools.findings import (
    campaigns,
    experiments,
    knowledge,
    planning,
    pricing,
    products,
    profiling,
    readout,
    recommend,
    sales,
)
from tools.findings.say import Say, catalogue
from tools.findings.types import Findings, NextStep
from tools.knowledge_search import KnowledgeResults
from tools.plan_types import CampaignPlan
from tools.pricing.discount import DiscountPlan
from tools.pricing.experiments import Readout
from tools.pricing.results import ElasticityReport, PriceOptimization, SampleSizePlan
from tools.profiling.results import CustomerCard, CustomerList, ScoreWeights, SegmentOverview
from tools.recommend.results import ProductRecommendations, RelatedProducts, SegmentPicks
from tools.sales.product_results import ProductPerformance
from tools.sales.results import SalesSummary, SalesTrend

_BY_TYPE: dict[type, Callable[[Any, Say], Findings]] = {
    SegmentOverview: profiling.segment_overview,
    CustomerList: profiling.find_customers,
    CustomerCard: profiling.profile_customer,
    ScoreWeights: profiling.profile_weights,
    ProductRecommendations: recommend.recommend_products,
    SegmentPicks: recommend.recommend_for_segment,
    RelatedProducts: recommend.related_products,
    ElasticityReport: pricing.price_elasticity,
    PriceOptimization: pricing.optimize_price,
    DiscountPlan: pricing.recommend_discount,
    SampleSizePlan: experiments.ab_test_sample_size,
    Readout: experiments.ab_test_readout,
    KnowledgeResults: knowledge.search_knowledge,
    CampaignPlan: planning.plan_campaign,
    SalesSummary: sales.sales_summary,
    SalesTrend: sales.sales_trend,
    CampaignReport: campaigns.campaign_performance,
    CampaignReadout: readout.campaign_readout,
    ProductPerformance: products.product_performance,
}


def describe(result: Any, language: str = "en", currency: str = "") -> Findings:
    """The findings of a tool result (a result type without findings is a bug)."""
    writer = _BY_TYPE.get(type(result))
    if writer is None:
        raise TypeError(f"no findings for {type(result).__name__}")
    return writer(result, Say(language, currency))


__all__ = ["Findings", "NextStep", "Say", "catalogue", "describe"]
