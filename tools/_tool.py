"""The tool contract: a typed function plus its schema; two error channels.

A tool is a plain function whose first parameter is the :class:`ToolContext` (left out of the
schema). Bad arguments and unknown ids raise ``ToolError``: the agent returns its message to
the model as text ending in a next step. Any other exception is a bug and propagates.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from copilot.core.errors import ToolError
from copilot.core.settings import Settings
from copilot.shop import ShopData
from tools._schema import arguments_model

T = TypeVar("T")

COMPUTED = "computed now from the shop's data"
"""A result's ``source`` when it was not read from a batch run's tables."""


@dataclass
class ToolContext:
    """What tools may use: the shop data, settings and a cache of fitted models."""

    shop: ShopData
    settings: Settings
    _models: dict[str, tuple[object, Any]] = field(default_factory=dict)
    _shared: dict[str, Any] = field(default_factory=dict)

    def catalog(self) -> pd.DataFrame:
        """Products indexed by sku, for looking up titles, prices and costs (cached)."""
        return self.cached("catalog", lambda: self.shop.products().set_index("sku"))

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A fitted model for the current data version, built on first use."""
        return self._held(key, self.shop.version(), build)

    def cached_per_run(self, key: str, run_id: int, build: Callable[[], T]) -> T:
        """As ``cached``, and built afresh for another batch run (a new run of the same data
        replaces the rows it was read from)."""
        return self._held(key, (self.shop.version(), run_id), build)

    def _held(self, key: str, stamp: object, build: Callable[[], T]) -> T:
        hit = self._models.get(key)
        if hit is None or hit[0] != stamp:
            hit = (stamp, build())
            self._models[key] = hit
        result: T = hit[1]
        return result

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """A resource that does not depend on the data (an embedder), built once."""
        if key not in self._shared:
            self._shared[key] = build()
        result: T = self._shared[key]
        return result

    @contextmanager
    def substituted(self, key: str, value: Any) -> Iterator[None]:
        """Within the block, ``cached(key, ...)`` returns ``value`` (for example an
        evaluation's private copy of the knowledge base); the previous entry comes back after."""
        previous = self._models.get(key)
        self._models[key] = (self.shop.version(), value)
        try:
            yield
        finally:
            if previous is None:
                self._models.pop(key, None)
            else:
                self._models[key] = previous


@dataclass(frozen=True)
class Tool:
    """A function the agent may call, with its validated argument model."""

    name: str
    description: str
    fn: Callable[..., Any]
    args_model: type[BaseModel]

    def json_schema(self) -> dict[str, Any]:
        """JSON schema of the arguments (what the model fills in)."""
        return self.args_model.model_json_schema()

    def __call__(self, ctx: ToolContext, **arguments: Any) -> Any:
        """Validate ``arguments`` and run the tool; invalid arguments raise ``ToolError``."""
        return self.run(ctx, arguments)

    def run(self, ctx: ToolContext, arguments: dict[str, Any], **hidden: Any) -> Any:
        """Validate ``arguments`` and run the tool with ``hidden`` keyword-only arguments too:
        the ones a program passes (a plan's customer-list filters) and the model never sees."""
        try:
            parsed = self.args_model.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ToolError(
                f"the request could not be read: {problems}.",
                f"Invalid arguments for {self.name}; fix the arguments and call the tool again.",
                key="refusal.bad_request",
                values={"problems": problems},
            ) from exc
        return self.fn(ctx, **parsed.model_dump(), **hidden)


def tool(fn: Callable[..., Any]) -> Tool:
    """Turn a typed, documented function ``fn(ctx, ...)`` into a :class:`Tool`; its
    keyword-only arguments stay out of the schema (see ``Tool.run``)."""
    hidden = {
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    model, description = arguments_model(fn, fn.__name__, frozenset({"ctx", *hidden}))
    return Tool(fn.__name__, description, fn, model)


def text_or_none(value: object) -> str | None:
    """A cell as text, or None when it is missing (None or NaN)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def to_jsonable(value: Any, digits: int = 4) -> Any:
    """Dataclasses, numbers and containers as compact JSON values (floats rounded)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name), digits)
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v, digits) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.{digits}g}")
    if hasattr(value, "item"):  # numpy scalars
        return to_jsonable(value.item(), digits)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def to_llm_json(value: Any) -> str:
    """The compact JSON text a model reads for a tool result."""
    return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))
