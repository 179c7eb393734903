"""storyline: turn many news articles into cited stories.

>>> import storyline
>>> result = storyline.digest(paths=["articles/"])          # doctest: +SKIP
>>> for story in result.stories:                              # doctest: +SKIP
...     print(story.headline, [c.article_id for s in story.summary for c in s.citations])
"""


__version__ = "0.1.0"

# Load the summarize subpackage before binding the summarize() function: importing a subpackage for the first
# time sets the package attribute of the same name, which would otherwise replace the function later.
from . import summarize as _summarize_package  # noqa: F401
from .api import digest, summarize
from .config import Settings
from .errors import ConfigError, InputError, NothingToReadError, StorylineError
from .models import (
    Article,
    Citation,
    Claim,
    Conflict,
    Digest,
    Entity,
    Quote,
    Rejected,
    Sentence,
    Story,
    SummarySentence,
    TimelineEvent,
)

__all__ = [
    "Article",
    "Citation",
    "Claim",
    "ConfigError",
    "Conflict",
    "Digest",
    "Entity",
    "InputError",
    "NothingToReadError",
    "Quote",
    "Rejected",
    "Sentence",
    "Settings",
    "Story",
    "StorylineError",
    "SummarySentence",
    "TimelineEvent",
    "__version__",
    "digest",
    "summarize",
]
