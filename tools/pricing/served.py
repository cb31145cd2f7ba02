"""Price elasticities read from the last batch run's table, when it computed the shop's current
data: the figures ``price_elasticity`` states, without fitting the demand model. The served
model states estimates only; it cannot forecast (prices are optimised on the fitted model)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from copilot.shop import schema
from copilot.shop.batch import current_run, rows
from tools._tool import ToolContext
from tools.pricing.demand import DemandFlag, DemandModel, ProductDemand

_FIGURES = (
    "sd",
    "raw_elasticity",
    "raw_se",
    "depth_elasticity",
    "n_obs",
    "n_weeks",
    "price_cv",
    "r2",
    "loo_rmse_log",
    "current_price",
    "baseline_units",
)


def demand_record(d: ProductDemand, prior: tuple[float, float] | None) -> str:
    """The ``demand`` column of product ``d``'s row: its figures, flags and category prior."""
    record: dict[str, Any] = {name: _plain(getattr(d, name)) for name in _FIGURES}
    record.update(
        category=d.category,
        price_range=[float(x) for x in d.price_range],
        flags=[
            {"code": f.code, "values": {k: float(v) for k, v in f.values.items()}} for f in d.flags
        ],
        prior=[float(x) for x in prior] if prior is not None else None,
    )
    return json.dumps(record)


def _plain(value: Any) -> int | float | None:
    """A figure as JSON holds it (numpy scalars become Python numbers)."""
    if value is None:
        return None
    return int(value) if isinstance(value, int | np.integer) else float(value)


def _demand(
    sku: str, elasticity: float, ci90: tuple[float, float], r: dict[str, Any]
) -> ProductDemand:
    return ProductDemand(
        product=sku,
        category=r["category"],
        elasticity=elasticity,
        ci90=ci90,
        **{name: r[name] for name in _FIGURES},
        price_range=(float(r["price_range"][0]), float(r["price_range"][1])),
        flags=[DemandFlag(code=f["code"], values=f["values"]) for f in r["flags"]],
        columns=[],
        beta=np.zeros(0),
    )


def served_demand(ctx: ToolContext) -> tuple[DemandModel, str] | None:
    """Every product's estimate from the batch table, and where it comes from (None: no run
    for the current data, or a run written before the table kept the figures); read once per
    run."""
    run = current_run(ctx.shop.engine, ctx.shop.version())
    if run is None:
        return None

    def read() -> tuple[DemandModel, str] | None:
        found = rows(ctx.shop.engine, schema.batch_elasticities)
        if not found or any(row.demand is None for row in found):
            return None
        products: dict[str, ProductDemand] = {}
        priors: dict[str, tuple[float, float]] = {}
        for row in found:
            record = json.loads(row.demand)
            products[row.sku] = _demand(row.sku, row.elasticity, (row.low, row.high), record)
            if record["prior"] is not None:
                priors[record["category"] or "(none)"] = (record["prior"][0], record["prior"][1])
        return DemandModel(products, priors), run.source()

    return ctx.cached_per_run("served_demand", run.id, read)
