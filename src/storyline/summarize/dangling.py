"""Sentences that lean on the one before them ('However, ...', 'He added that ...') and read wrong alone."""

from __future__ import annotations

import re

_OPENER = re.compile(
    r"""^['"“‘]?\s*(?:
        however|but|and|or|also|meanwhile|still|yet|instead|moreover|furthermore|in\ addition|besides|
        nevertheless|nonetheless|thus|therefore|hence|so|then|later|afterwards|otherwise|likewise|similarly|
        in\ turn|as\ a\ result|by\ contrast|on\ the\ other\ hand|even\ so|at\ the\ same\ time|that\ is|
        he|she|they|it|we|this|that|these|those|his|her|their|its|him|them|such|the\ two|both|another|
        the\ latter|the\ former|there\ (?:he|she|they)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_ADDED = re.compile(r"^[\"“']?[^.!?]{0,40}\b(?:added|continued|went\ on|also\ said)\b", re.IGNORECASE | re.VERBOSE)


def is_dangling(text: str) -> bool:
    """True when ``text`` opens with a connective or a pronoun that needs the previous sentence."""
    stripped = text.lstrip()
    if _OPENER.match(stripped):
        # "It is ... that" and "There is" are impersonal, but "It" alone usually refers back; keep it dangling.
        return True
    return bool(_ADDED.match(stripped))
