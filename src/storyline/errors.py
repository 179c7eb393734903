"""The few exceptions a storyline user sees; each message names the input and the fix."""

from __future__ import annotations


class StorylineError(Exception):
    """Base class of every error storyline raises on purpose."""


class InputError(StorylineError):
    """An input could not be read at all (missing path, unreadable file, wrong format)."""

    def __init__(self, input: str, reason: str, hint: str | None = None) -> None:
        self.input = input
        self.reason = reason
        self.hint = hint
        message = f"cannot read {input!r}: {reason}"
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class NothingToReadError(StorylineError):
    """No article could be read from any input: the run has nothing to do."""


class ConfigError(StorylineError):
    """A setting has a wrong name or value; the message says which and what is allowed."""


class StoreError(StorylineError):
    """The article store cannot be opened or migrated."""


class EngineError(StorylineError):
    """The execution engine (process pool or Dask cluster) failed; the message says how to get going again."""
