"""The seeded synthetic demo shop with planted truths (segments, elasticities, co-purchases)."""

from copilot.demo.generate import DemoShop, generate_demo, write_truths

__all__ = ["DemoShop", "generate_demo", "write_truths"]
