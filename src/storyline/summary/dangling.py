"""Sentences that lean on the one before them ('However, ...', 'He added that ...', 'Last year, ...': a time
the reader cannot place without the article's date and context) and read wrong alone."""

from __future__ import annotations

import re

_OPENER = re.compile(
    r"""^['"“‘]?\s*(?:
        however|but|and|or|also|meanwhile|still|yet|instead|moreover|furthermore|in\ addition|besides|
        nevertheless|nonetheless|thus|therefore|hence|so|then|later|afterwards|otherwise|likewise|similarly|
        in\ turn|as\ a\ result|by\ contrast|on\ the\ other\ hand|even\ so|at\ the\ same\ time|that\ is|
        he|she|they|it|we|this|that|these|those|his|her|their|its|him|them|such|the\ two|both|another|
        the\ latter|the\ former|there\ (?:he|she|they)|around\ that\ time|at\ that\ time|by\ then|
        now\ (?:he|she|it|they|this|that)|
        last\ (?:year|month|week|night|spring|summer|autumn|fall|winter)|earlier\ this\ (?:year|month|week)|
        (?:just\ )?(?:a\ few|several|two|three)\ (?:days|weeks|months|years)\ (?:ago|earlier|later)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A quote attributed to a pronoun ('"It was terrible," she added.') needs the sentence that names the speaker.
_PRONOUN_QUOTE = re.compile(
    r"""^["“'‘].{0,400}?["”'’]\s*,?\s*(?:he|she|they)\s+(?:added|continued|went\ on|said|says|told)\b""",
    re.IGNORECASE | re.VERBOSE,
)


def is_dangling(text: str) -> bool:
    """True when ``text`` opens with a connective or a pronoun that needs the previous sentence."""
    stripped = text.lstrip()
    if _OPENER.match(stripped):
        return True
    return bool(_PRONOUN_QUOTE.match(stripped))
