"""Pricing and experiments: demand model, elasticities, constrained price optimum, A/B tests."""

from tools.pricing.api import optimize_price, price_elasticity, recommend_discount
from tools.pricing.experiment_tools import ab_test_readout, ab_test_sample_size

__all__ = [
    "ab_test_readout",
    "ab_test_sample_size",
    "optimize_price",
    "price_elasticity",
    "recommend_discount",
]
