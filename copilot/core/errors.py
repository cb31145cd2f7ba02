"""User-facing errors, split by who must act.

Only the edges (CLI, UI) turn these into text for people; everything else raises them.
Any exception that is not a ``CopilotError`` is a bug and is surfaced with its traceback.
"""

from __future__ import annotations


class CopilotError(Exception):
    """Base class: the message is shown to a person as one line."""


class ConfigError(CopilotError):
    """The operator must change configuration; the message names the fix."""


class InputError(CopilotError):
    """A data file or argument given by the user is invalid.

    The message names the file, the row and the column where one is at fault, and what was
    expected. Nothing was written when this is raised.
    """


class MissingColumns(InputError):
    """A data file lacks columns its kind requires: the user names them (``--map`` in the CLI,
    a column picker in the page). ``missing`` are field names, ``columns`` the file's own."""

    def __init__(self, message: str, *, kind: str, missing: list[str], columns: list[str]):
        super().__init__(message)
        self.kind = kind
        self.missing = missing
        self.columns = columns


class ToolError(CopilotError):
    """A tool was called with a bad argument or an unknown id.

    ``message`` is for people (it names no tools or settings); ``hint`` is the next step for
    the model ("use find_customers to look customers up"). The model reads both.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        key: str = "",
        values: dict[str, object] | None = None,
    ) -> None:
        super().__init__(f"{message} {hint}".strip())
        self.message_for_people = message
        self.hint = hint
        self.key = key
        """A wording key for the message in the user's language (``message`` is English)."""
        self.values = values or {}


class ModelBehaviorError(CopilotError):
    """The model produced output the agent could not use (after retries)."""


class ModelUnavailable(CopilotError):
    """A remote model or embedding server did not answer (down, unreachable or too slow); the
    message names the server and the setting that bounds the wait."""
