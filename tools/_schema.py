"""Build a tool's argument model and JSON schema from its signature and ``Args:`` docstring."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

_SECTION = re.compile(r"^\s*(Args|Arguments|Returns|Raises|Yields|Examples?|Notes?):\s*$")


class ToolDefinitionError(TypeError):
    """A tool function is not fit to be a tool (a developer error, raised at import)."""


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into the description and {argument: text}."""
    lines = inspect.cleandoc(doc or "").splitlines()
    description: list[str] = []
    args: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    for line in lines:
        head = _SECTION.match(line)
        if head:
            section, current = head.group(1), None
            continue
        if section is None:
            description.append(line)
        elif section in ("Args", "Arguments") and line.strip():
            item = re.match(r"^\s{0,4}(\w+)\s*(\([^)]*\))?:\s*(.*)$", line)
            if item and (current is None or len(line) - len(line.lstrip()) <= 4):
                current = item.group(1)
                args[current] = item.group(3).strip()
            elif current is not None:
                args[current] = f"{args[current]} {line.strip()}".strip()
    return "\n".join(description).strip(), args


def arguments_model(
    fn: Callable[..., Any], name: str, skip: frozenset[str]
) -> tuple[type[BaseModel], str]:
    """The pydantic model of ``fn``'s arguments (minus ``skip``) and its description."""
    description, docs = parse_docstring(fn.__doc__)
    if not description:
        raise ToolDefinitionError(f"tool {name}: the docstring needs a description")
    hints = get_type_hints(fn, include_extras=True)
    if "return" not in hints:
        raise ToolDefinitionError(f"tool {name}: annotate the return type")
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name in skip:
            continue
        if param.name not in hints:
            raise ToolDefinitionError(f"tool {name}: annotate argument {param.name!r}")
        if param.name not in docs:
            raise ToolDefinitionError(
                f"tool {name}: document argument {param.name!r} in the docstring's Args: section"
            )
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints[param.name], Field(default, description=docs[param.name]))
    undocumented = set(docs) - set(fields) - skip
    if undocumented:
        raise ToolDefinitionError(f"tool {name}: Args: documents unknown {sorted(undocumented)}")
    model = create_model(f"{name}_args", __config__=ConfigDict(extra="forbid"), **fields)
    return model, description
