"""spaCy, imported without torch: importing this module imports spaCy the way storyline uses it.

spaCy's machine-learning library, thinc, imports torch whenever torch is installed (``thinc.compat``: it has no
switch), which costs ~4 s of start-up and ~200 MB in every process, though the CNN pipelines storyline runs
(``en_core_web_sm``) compute with thinc's NumPy ops and never touch torch. So spaCy is imported with torch hidden
(a ``None`` entry in ``sys.modules`` makes ``import torch`` raise ImportError, which thinc handles as "not
installed"), then torch is importable again for anything else. :func:`storyline.compare.nlp.load_spacy` and the
fork server of a worker pool (:func:`storyline.pipeline.model_packages`) both import spaCy through here. When torch
is already imported, hiding it would save nothing and spaCy is imported as it is.
"""

from __future__ import annotations

import sys

if "torch" in sys.modules:
    import spacy
else:
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]

__all__ = ["spacy"]
