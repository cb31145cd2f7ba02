"""Refusals every data tool shares: a shop without the data a tool stands on."""

from __future__ import annotations

from copilot.core.errors import ToolError


def no_orders() -> ToolError:
    """A fresh install, or a shop whose files held no orders: nothing to compute from."""
    return ToolError(
        "the shop has no orders yet; order data must be loaded first "
        "(`copilot ingest FILE`, or `copilot demo` for the demo shop).",
        key="refusal.empty_shop",
    )


def no_customer_ids() -> ToolError:
    """Orders without customer ids (anonymous sales): customer tools have no one to profile."""
    return ToolError(
        "the shop has no orders with a customer id; customer tools need them (load orders "
        "with a customer id column).",
        key="refusal.no_customer_ids",
    )
