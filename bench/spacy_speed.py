"""spaCy on one core as the comparison runs it: the pipeline's matrix products in NumPy's OpenBLAS (storyline's
default, ``compare.spacy_runtime.numpy_ops``) against thinc's default, the ``blis`` package.

    python bench/spacy_speed.py              # 1,500 speech + 1,500 entity sentences, 3 rounds
    python bench/spacy_speed.py 500 2        # a quicker look

Same model (``compare.spacy_model``, loaded twice in this process: once as thinc builds it by default, once as
``nlp.load_spacy`` does), same sentences: storyline's splitter over every real document of ``tests/realtexts.py``
(ECB+ dev, DUC 2003, MultiLing 2011 English), distinct, shuffled with seed 1, then the first N that
``nlp.needs_parse`` sends to the full pipeline (tags, parse, entities) and the first N that get entities alone, as
``nlp.annotate`` runs them (batch 256, one BLAS thread). Rounds alternate (the machine is shared: CPU seconds of this
process, not wall-clock). Then every token's tag, dependency, head and entity label of both versions compared: the
docs that differ are counted.
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from storyline.compare.nlp import _PARSE_ONLY, needs_entities, needs_parse  # noqa: E402
from storyline.compare.spacy_runtime import numpy_ops, one_blas_thread  # noqa: E402
from storyline.config import CompareOptions  # noqa: E402
from storyline.text.sentences import split_spans  # noqa: E402

from realtexts import real_documents  # noqa: E402


def sentences(count: int) -> tuple[list[str], list[str]]:
    """``count`` distinct real sentences that need a parse, and ``count`` that need entities only."""
    texts = list(dict.fromkeys(text[s:e] for _, text in real_documents() for s, e in split_spans(text)))
    random.Random(1).shuffle(texts)
    parse = [t for t in texts if needs_parse(t)][:count]
    entities = [t for t in texts if not needs_parse(t) and needs_entities(t)][:count]
    return parse, entities


def signature(doc: Any) -> list[tuple[str, str, int, str, str]]:
    return [(t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=1500, help="sentences of each kind")
    parser.add_argument("rounds", nargs="?", type=int, default=3)
    args = parser.parse_args()
    parse, entities = sentences(args.count)
    model = CompareOptions().spacy_model
    package = importlib.import_module(model)
    versions = {"blis (thinc's default)": package.load(exclude=["lemmatizer", "attribute_ruler"])}
    with numpy_ops():
        versions["NumPy's OpenBLAS (storyline's default)"] = package.load(exclude=["lemmatizer", "attribute_ruler"])
    cpu: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
    output: dict[str, list[list[tuple[str, str, int, str, str]]]] = {}
    for nlp in versions.values():
        list(nlp.pipe(parse[:20]))  # first-call costs out of the rounds
    for _ in range(args.rounds):
        for name, nlp in versions.items():
            skip = [p for p in (*_PARSE_ONLY, "tok2vec") if p in nlp.pipe_names]
            with one_blas_thread():
                began = time.process_time()
                full = list(nlp.pipe(parse, batch_size=256))
                middle = time.process_time()
                alone = list(nlp.pipe(entities, batch_size=256, disable=skip))
                cpu[name].append((middle - began, time.process_time() - middle))
            output[name] = [signature(d) for d in full + alone]
    base = next(iter(versions))
    print(f"{len(parse):,} sentences with tags, parse and entities; {len(entities):,} with entities alone; "
          f"model {model}; CPU s of this process, {args.rounds} rounds alternated\n")
    print("| matrix products | parse sentences CPU s (rounds) | entity sentences CPU s (rounds) | best total | "
          "sentences / CPU-s | CPU x blis | docs differing from blis |")
    print("|---|---|---|---:|---:|---:|---:|")
    best_base = min(a + b for a, b in cpu[base])
    for name in versions:
        best = min(a + b for a, b in cpu[name])
        differing = sum(x != y for x, y in zip(output[name], output[base], strict=True))
        print(f"| {name} | {' / '.join(f'{a:.2f}' for a, _ in cpu[name])} | "
              f"{' / '.join(f'{b:.2f}' for _, b in cpu[name])} | {best:.2f} | "
              f"{(len(parse) + len(entities)) / best:.0f} | {best / best_base:.2f} | "
              f"{differing} of {len(output[name]):,} |")


if __name__ == "__main__":
    main()
