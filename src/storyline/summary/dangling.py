"""Sentences that lean on the one before them and read wrong alone: 'However, ...', 'He added that ...', 'Last
year, ...' (a time the reader cannot place without the article's date and context), a quote whose speaker is in
another sentence, and a piece of a sentence the splitter cut in two ('on Tuesday, 16 December.')."""

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
# A connective after the subject ('Voters, however, appeared ...') leans on the sentence before just the same.
_SECOND_CONNECTIVE = re.compile(
    r"^[^,;:]{1,40},\s*(?:however|though|meanwhile|instead|in\ turn|therefore|nevertheless|too|also),",
    re.IGNORECASE | re.VERBOSE,
)
# A quote attributed to a pronoun ('"It was terrible," she added.') needs the sentence that names the speaker.
_PRONOUN_QUOTE = re.compile(
    r"""^["“'‘].{0,400}?["”'’]\s*,?\s*(?:he|she|they)\s+(?:added|continued|went\ on|said|says|told)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A sentence that is nothing but a quote ('"We appreciate your respect."'): its speaker is named elsewhere.
_WHOLE_QUOTE = re.compile(r"""^["“][^"“”]+["”]\W*$""")
_DOUBLE_QUOTE = re.compile(r"""["“”]""")


def is_dangling(text: str) -> bool:
    """True when ``text`` needs the sentence before it: a connective or pronoun opener, an undated relative time,
    a quote without its speaker or split over sentences (an odd number of double quotes), or a lower-case start
    (the rest of a sentence the splitter cut)."""
    stripped = text.lstrip()
    if _OPENER.match(stripped) or _SECOND_CONNECTIVE.match(stripped):
        return True
    if _PRONOUN_QUOTE.match(stripped) or _WHOLE_QUOTE.match(stripped):
        return True
    if len(_DOUBLE_QUOTE.findall(stripped)) % 2 == 1:
        return True
    first_word = stripped.lstrip("\"“‘'([").split(maxsplit=1)[:1]
    return bool(first_word) and first_word[0].islower()  # 'on Tuesday, ...', not 'iPhone sales ...'
