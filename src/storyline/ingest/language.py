"""Offline language identification of article text (py3langid, whose model ships inside the wheel).

Every article gets an ISO 639-1 code in ``Article.language`` so that later stages never merge stories across
languages. Short or letter-less texts get ``None`` rather than a guess.

The model ships as an LZMA-compressed npz (4.6 MB) that unpacks to 68 MB of arrays: unpacking it cost every process
that detects a language (the driver, each pool worker) ~0.4-0.65 CPU s and ~80 MB. It is unpacked once into the
storyline cache (``unpacked_language_model``) and then memory-mapped: a load takes ~10 ms, and the processes of a
run share the pages the detector reads. The arrays are py3langid's own, so every language and confidence is the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_SAMPLE_CHARS = 1200
MIN_LETTERS = 20
"""Texts with fewer letters than this get no language: too little evidence."""
MIN_CONFIDENCE = 0.5
"""Below this normalized probability the text gets no language from the detector alone."""
SHORT_LETTERS = 200
SHORT_CONFIDENCE = 0.85
"""A text with fewer than ``SHORT_LETTERS`` letters needs this probability instead: the first 100-150 characters of
real English reports (ECB+ dev) are read as Central Bikol, Nigerian Pidgin or "no linguistic content" at 0.5-0.81, and
one such article among English news made the clustering encode the whole input with the cross-lingual model. Of the
non-English MultiLing articles' first 150 characters, 17 of 180 fall below it (they get the hint, or no language)."""
NOT_A_LANGUAGE = frozenset({"zxx"})
"""Codes the detector gives that name no language (ISO 639-2 "no linguistic content")."""


_LOG = logging.getLogger(__name__)
_loading = threading.Lock()
_TYPECODES: dict[int, Literal["H", "I", "L"]] = {2: "H", 4: "I", 8: "L"}


def _identifier() -> Any:
    """The detector, loaded once (~1-3 s): threads asking while it loads wait for that one load. Without the lock,
    every request thread of ``storyline serve`` that validated a POST before the first load ended loaded it again,
    all at once under one interpreter lock (bench/load.py: validation p50 40 s)."""
    with _loading:
        return _load_identifier()


@lru_cache(maxsize=1)
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    try:
        return _mapped_identifier(unpacked_language_model(Path(MODEL_DIR) / MODEL_FILE))
    except (OSError, ValueError) as exc:  # a read-only or full cache, or a damaged copy: unpack in memory as before
        _LOG.warning("language model read from its package, not the cache (%s: %s)", type(exc).__name__, exc)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def unpacked_language_model(source: Path) -> Path:
    """The folder of py3langid's model arrays as plain ``.npy`` files in the storyline cache, unpacked from
    ``source`` on first use (~0.5 s, 66 MB on disk). The folder is named by a hash of ``source``'s bytes, so another
    py3langid model gets its own; it is written under a temporary name and renamed whole, so a process never reads a
    half-written copy (two processes unpacking at once both succeed)."""
    import numpy as np
    from py3langid.modelio import load_model

    folder = _unpacked_folder(source)
    if (folder / "classes.json").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    ptc, pc, classes, nextmove, row, out = load_model(source)
    building = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        arrays = {"ptc": ptc, "pc": pc, "out": np.asarray(out, dtype=np.int32),  # stdlib arrays as they are typed
                  "nextmove": np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
                  "row": np.frombuffer(row, dtype=f"u{row.itemsize}")}
        for name, array in arrays.items():
            np.save(building / f"{name}.npy", array)
        (building / "classes.json").write_text(json.dumps(classes), encoding="utf-8")  # last: marks it complete
        os.rename(building, folder)
    except OSError:
        if not (folder / "classes.json").exists():  # another process's rename did not win either: a real error
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def _unpacked_folder(source: Path) -> Path:
    from ..embed import cache_dir

    return cache_dir() / "models" / f"py3langid-{hashlib.blake2b(source.read_bytes(), digest_size=8).hexdigest()}"


def unpacked_model_marker() -> Path:
    """The file that marks the installed py3langid model unpacked into the cache (``storyline models``)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return _unpacked_folder(Path(MODEL_DIR) / MODEL_FILE) / "classes.json"


def unpack_model() -> Path:
    """Unpack the installed py3langid model into the cache now (else done on first use)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return unpacked_language_model(Path(MODEL_DIR) / MODEL_FILE)


def _mapped_identifier(folder: Path) -> Any:
    """py3langid's identifier over the arrays of ``folder``, memory-mapped where the detector reads them in place
    (the feature table and the byte automaton), in the types py3langid's own loader gives."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    ptc = np.load(folder / "ptc.npy", mmap_mode="r")
    pc = np.load(folder / "pc.npy")
    nextmove = np.load(folder / "nextmove.npy", mmap_mode="r")
    row = np.load(folder / "row.npy")
    out = np.load(folder / "out.npy")
    classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    if ptc.shape != (ptc.shape[0], len(pc)) or len(classes) != len(pc) or len(row) != len(out):
        raise ValueError(f"{folder}: the unpacked language model's arrays do not fit together; delete the folder")
    moves = memoryview(nextmove).cast("B").cast(_TYPECODES[nextmove.itemsize])  # indexed per byte: ints, no copy
    return LanguageIdentifier(ptc, pc, classes, moves, out.tolist(), norm_probs=True, tk_row=row.tolist())


def load_language_model() -> None:
    """Load the detector now (e.g. when a server that accepts articles starts), not in the first request."""
    _identifier()


def normalize_language(tag: str | None) -> str | None:
    """``'en-US'``, ``'EN_gb'`` or ``'en'`` -> ``'en'``; anything that is not a language tag -> ``None``."""
    if not tag:
        return None
    primary = re.split(r"[-_\s]", tag.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """The language of ``text`` as an ISO 639-1 code, or ``None`` when the text is too short to tell.

    ``hint`` (a page's ``<html lang>`` or a feed's language) decides only when the detector is unsure, since
    templates often declare a language their articles are not written in. Unsure and no hint: ``None`` (a short
    English headline the detector reads as Central Bikol at 0.17 must not be a second language: it would keep the
    article out of English stories, or make the clustering encode the whole input with a cross-lingual model).
    """
    sample = text[:_SAMPLE_CHARS]
    hint = normalize_language(hint)
    letters = len(_LETTERS.findall(sample))
    if letters < MIN_LETTERS:
        return hint
    language, confidence = _identifier().classify(sample)
    needed = SHORT_CONFIDENCE if letters < SHORT_LETTERS else MIN_CONFIDENCE
    if confidence >= needed and language not in NOT_A_LANGUAGE:
        return str(language)
    return hint


__all__ = ["detect_language", "load_language_model", "normalize_language"]
