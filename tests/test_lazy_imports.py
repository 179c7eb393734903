"""Start-up: a digest loads only what its input and settings need (issue 15).

The real CLI runs in a fresh interpreter on the two seed articles; the test then lists the top-level packages that
interpreter imported. Text input must never pull in the HTML extractors, the web app, the store or Dask, and with
TF-IDF summaries and no comparison no model runtime either; with the defaults, no torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS

HTML_WEB_DASK = {"lxml", "trafilatura", "htmldate", "readability", "justext", "feedparser", "fastwarc", "dask",
                 "distributed", "fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg"}
MODELS = {"torch", "transformers", "sentence_transformers", "spacy", "model2vec"}

_PROBE = """
import json, sys
from storyline.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
import gc
from storyline import embed
kinds = {embed.StaticEmbedder, embed.MiniLMEmbedder, embed.MiniLMInt8Embedder, embed.USEEmbedder, embed.E5Embedder}
loaded = sorted({type(o).__name__ for o in gc.get_objects() if type(o) in kinds})
print(json.dumps({"modules": sorted({name.split(".")[0] for name in sys.modules}), "embedders": loaded}))
"""


def imported_by_digest(tmp_path: Path, *options: str) -> set[str]:
    """Top-level packages imported by one `storyline digest` of the seeds (local engine: no worker processes)."""
    return set(digest_probe(tmp_path, *options)["modules"])


def digest_probe(tmp_path: Path, *options: str) -> dict[str, list[str]]:
    """What one `storyline digest` of the seeds imported (``modules``) and which embedder classes it loaded."""
    command = [sys.executable, "-c", _PROBE, "digest", str(SEEDS), "-o", str(tmp_path / "out"), "-q",
               "--engine", "local", *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "stories.json").exists()
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_text_digest_imports_no_html_web_store_or_dask_code(tmp_path: Path) -> None:
    cheap = tmp_path / "cheap.toml"
    cheap.write_text('[summary]\nembedder = "tfidf"\nverifier = "static"\n[compare]\nenabled = false\n')
    imported = imported_by_digest(tmp_path, "--config", str(cheap))
    assert "storyline" in imported
    assert not imported & HTML_WEB_DASK, imported & HTML_WEB_DASK
    assert not imported & MODELS, imported & MODELS  # no model needed: none loaded, not even its runtime


def test_default_text_digest_runs_minilm_and_spacy_without_torch(tmp_path: Path) -> None:
    """The default settings run the MiniLM citation check and the comparison's spaCy on the seeds, yet import no
    torch, transformers or sentence-transformers: MiniLM needs no torch and spaCy is imported with torch hidden
    (``compare/spacy_runtime.py``), even though torch is installed here (the static model's distillation uses it).
    MiniLM runs at int8 through ONNX Runtime, which the ml extra installs (tests/test_embed.py: the NumPy fallback)."""
    probe = digest_probe(tmp_path)
    imported = set(probe["modules"])
    assert "MiniLMInt8Embedder" in probe["embedders"], probe["embedders"]
    assert {"spacy", "thinc", "tokenizers", "onnxruntime"} <= imported
    assert not imported & {"torch", "transformers", "sentence_transformers"}, imported & {"torch", "transformers"}
    assert not imported & HTML_WEB_DASK, imported & HTML_WEB_DASK
    # ~1.5 CPU s of start-up: clustering hashes words with murmurhash and parses scikit-learn's stop-word list, and
    # the LSH band choice is computed without datasketch's scipy.integrate; the static model is loaded without
    # model2vec's hub client (issue 15)
    slow = {"sklearn", "datasketch", "huggingface_hub"}
    assert not imported & slow, imported & slow


def test_importing_storyline_leaves_the_environment_alone() -> None:
    """The offline switches of the Hugging Face libraries are set where a model is loaded, not at import."""
    probe = (
        "import os, storyline, storyline.embed, storyline.service; "
        "print(sorted(k for k in os.environ if 'OFFLINE' in k))"
    )
    env = {k: v for k, v in os.environ.items() if "OFFLINE" not in k}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    probe = (
        "import os; from storyline.embed import get_embedder; "
        "get_embedder('static'); print(os.environ['HF_HUB_OFFLINE'])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(ROOT / "src")})
    assert done.stdout.strip() == "1", done.stderr
