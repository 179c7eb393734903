"""The few exceptions a storyline user sees; each message names the input and the fix.

The whole tree (``except StorylineError`` catches everything storyline raises on purpose)::

    StorylineError
    ├── InputError            an input cannot be read at all (missing path, unreadable file, wrong format)
    │   └── FetchError        (ingest/fetch.py) a URL could not be fetched: refused, robots.txt, too large, HTTP error
    ├── NothingToReadError    no article could be read from any input
    ├── ConfigError           a setting has a wrong name or value
    ├── StoreError            the store cannot be opened, migrated or written
    │   └── GroupingError     (service) stored articles could not be grouped; they stay stored and pending
    ├── NotFoundError         no stored story or article has that id (also a ``KeyError``; the web app answers 404)
    └── EngineError           the process pool or Dask cluster failed

Anything else escaping storyline is a bug: the web app answers it with 500 and logs it.
"""

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


class NotFoundError(StorylineError, KeyError):
    """No stored story or article has the id asked for (``KeyError`` too, for mapping-style callers)."""

    def __str__(self) -> str:  # KeyError would quote the id: "not found: 'x'" reads better as "x"
        return str(self.args[0]) if self.args else ""


class EngineError(StorylineError):
    """The execution engine (process pool or Dask cluster) failed; the message says how to get going again."""
