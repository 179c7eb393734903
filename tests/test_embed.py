"""The MiniLM runtimes: NumPy (storyline.embed.MiniLMEmbedder) gives sentence-transformers + torch's vectors; ONNX
Runtime at int8 (MiniLMInt8Embedder, the default where installed) stays close to them."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import erf

from storyline.embed import MiniLMEmbedder, MiniLMInt8Embedder, gelu_, get_embedder, minilm_path
from storyline.text.sentences import split_sentences

from conftest import DATA, ROOT


def test_gelu_is_the_exact_erf_gelu_in_float32() -> None:
    x = np.concatenate([np.linspace(-12, 12, 400_001), np.random.default_rng(1).standard_normal(100_003) * 3])
    values = x.astype(np.float32).reshape(-1, 4)  # 2-D, and not a multiple of the chunk size
    exact = values.reshape(-1).astype(np.float64)
    exact = exact * 0.5 * (1.0 + erf(exact / np.sqrt(2.0)))
    gelu_(values)
    assert values.dtype == np.float32
    assert np.abs(values.reshape(-1) - exact).max() <= 1e-6  # measured 3.3e-7; torch's own erf GELU is ~1e-7


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Real sentences of varied length (and two whole articles, longer than the model's 256 tokens)."""
    lines = (DATA / "ecbplus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines[:20]]
    sentences = [s.text for d in docs for s in split_sentences(d["text"], d["id"])]
    random.Random(3).shuffle(sentences)
    return sentences[:60] + [d["text"] for d in docs[:2]] + ["", "   Padded   "]


@pytest.fixture(scope="module")
def numpy_minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_minilm_vectors_equal_sentence_transformers(texts: list[str], numpy_minilm: MiniLMEmbedder) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    reference = SentenceTransformer(minilm_path(), device="cpu").encode(texts, normalize_embeddings=True)
    vectors = numpy_minilm.encode(texts)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    cosine = (vectors * reference).sum(axis=1)
    assert cosine.min() >= 0.99999, cosine.min()  # measured 0.9999999 (bench/minilm_speed.py: 800 sentences)
    assert np.abs(vectors - reference).max() < 1e-5


def test_minilm_vector_does_not_depend_on_its_batch(texts: list[str], numpy_minilm: MiniLMEmbedder) -> None:
    """Padding and the attention mask: a text encoded alone, or batched with longer and shorter ones (any budget),
    gets the same vector, in its input's row."""
    model = numpy_minilm
    together = model.encode(texts)
    alone = np.stack([model.encode([t])[0] for t in texts[:10]])
    assert np.abs(together[:10] - alone).max() < 1e-6
    small = MiniLMEmbedder()
    small.token_budget = 64  # many small batches, one text per batch for the long ones
    assert np.abs(small.encode(texts) - together).max() < 1e-6
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-6)
    assert model.encode([]).shape == (0, 384)


def test_minilm_int8_is_the_default_runtime_and_close_to_float32(texts: list[str],
                                                                   numpy_minilm: MiniLMEmbedder) -> None:
    """With onnxruntime installed (the ml extra) ``minilm`` runs at int8: vectors near float32's (measured on these
    texts: cosine >= 0.98, mean 0.992; on 800 ECB+ sentences 0.975 / 0.993, bench/minilm_speed.py), the same
    vector for a text whatever it is encoded with, in its input's row."""
    model = get_embedder("minilm")
    assert isinstance(model, MiniLMInt8Embedder), type(model)
    # built from the package's safetensors into the cache on first use (no download), atomically: no partial file
    assert model.path.exists() and not [p for p in model.path.parent.glob(model.path.stem + ".*") if p != model.path]
    assert 15e6 < model.path.stat().st_size < 35e6  # int8 weights (float32 would be ~90 MB)
    vectors = model.encode(texts)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    cosine = (vectors * numpy_minilm.encode(texts)).sum(axis=1)
    assert cosine.min() >= 0.97 and cosine.mean() >= 0.985, (cosine.min(), cosine.mean())
    alone = np.stack([model.encode([t])[0] for t in texts[:5]])
    assert np.array_equal(alone, vectors[:5])
    assert np.array_equal(model.encode(list(reversed(texts[:5]))), vectors[4::-1])
    assert model.encode([]).shape == (0, 384)


def test_minilm_falls_back_to_numpy_without_onnxruntime() -> None:
    """Where onnxruntime is not installed (hidden here as an uninstalled package looks), ``minilm`` is the NumPy
    runtime, and loading it imports no ONNX package."""
    probe = ("import sys; sys.modules['onnxruntime'] = None\n"
             "from storyline.embed import get_embedder, minilm_runtime\n"
             "print(minilm_runtime(), type(get_embedder('minilm')).__name__, 'onnx' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
                               "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["numpy", "MiniLMEmbedder", "False"]


def test_static_model_loads_as_model2vec_loads_it(texts: list[str]) -> None:
    """``load_static_model`` builds the model from the folder's files without model2vec's persistence module (it
    imports huggingface_hub: issue 15, start-up): the same vectors, bit for bit, as ``from_pretrained``."""
    from model2vec import StaticModel

    from storyline.embed import load_static_model

    embedder = get_embedder("static")
    reference = StaticModel.from_pretrained(str(embedder.path))
    ours = load_static_model(embedder.path)
    sample = [*texts, "Ünïcödé Straße 東京", "word " * 2000]
    assert np.array_equal(ours.encode(sample), reference.encode(sample))
    assert ours.normalize == reference.normalize and ours.config == reference.config
