"""Pricing and experiments: demand model, elasticities, constrained price optimum, A/B tests."""

from tools.pricing.api import (
    ab_test_readout,
    ab_test_sample_size,
    optimize_price,
    price_elasticity,
    recommend_discount,
)

__all__ = [
    "ab_test_readout",
    "ab_test_sample_size",
    "optimize_price",
    "price_elasticity",
    "recommend_discount",
]
