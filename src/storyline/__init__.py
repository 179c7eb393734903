"""storyline: turn many news articles into cited stories.

>>> import storyline
>>> result = storyline.digest(paths=["articles/"])          # doctest: +SKIP
>>> for story in result.stories:                              # doctest: +SKIP
...     print(story.headline, [c.article_id for s in story.summary for c in s.citations])
"""


from ._version import __version__
from .config import Settings
from .errors import ConfigError, InputError, NotFoundError, NothingToReadError, StorylineError
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
from .service.digest import digest, summarize

__all__ = [
    "Article",
    "Citation",
    "Claim",
    "ConfigError",
    "Conflict",
    "Digest",
    "Entity",
    "InputError",
    "NotFoundError",
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
