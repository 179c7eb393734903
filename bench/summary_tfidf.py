"""CPU of the summary's TF-IDF sentence vectors: `summary.vectors.tfidf_vectors` (no scikit-learn) against
scikit-learn's `TfidfVectorizer` with the same settings (what it called before issue 15's htmlfast branch), each in a
fresh process, rounds alternated.

    python bench/summary_tfidf.py
    python bench/summary_tfidf.py --rounds 3

A story whose articles are not all English is summarized with TF-IDF vectors (the sentence models are English). The
input is one group of sentences per real article of the MultiLing pilot (210 articles in 7 languages, what a
one-article story in those languages fits its vectors on) and per ECB+ dev topic (English, several articles). Each
process times its import of the code it calls (scikit-learn's `feature_extraction.text` is ~0.7 CPU s, paid once by
every process that summarizes such a story: each pool worker), then the fits of all groups; the fingerprint hashes
every matrix's data, column indices and row pointers, so the same fingerprint means the very same matrices.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

VERSIONS = ("storyline", "scikit-learn")


def sentence_groups() -> list[list[str]]:
    """Sentences of each MultiLing pilot article, then of each ECB+ dev topic (real texts of ../shared/data)."""
    from storyline.text.sentences import split_sentences

    from conftest import DATA

    groups = []
    with open(DATA / "multilingual" / "multiling2011_dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            groups.append([s.text for s in split_sentences(doc["text"], doc["id"])])
    topics: dict[str, list[str]] = {}
    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            topics.setdefault(str(doc["topic"]), []).extend(s.text for s in split_sentences(doc["text"], doc["id"]))
    return groups + [topics[t] for t in sorted(topics)]


def run_version(version: str) -> None:
    """In a subprocess: import the version's code, then fit every group; print CPU seconds and a fingerprint."""
    groups = sentence_groups()
    began = time.process_time()
    if version == "storyline":
        from storyline.summary.vectors import tfidf_vectors as fit
    else:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        def fit(texts: list[str]) -> sparse.csr_matrix:
            vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b\w+\b")
            return sparse.csr_matrix(vectorizer.fit_transform(texts))
    imported = time.process_time() - began
    began = time.process_time()
    matrices = [fit(texts) for texts in groups]
    fitted = time.process_time() - began
    digest = hashlib.sha256()
    for m in matrices:
        for part in (m.data, m.indices.astype("int64"), m.indptr.astype("int64")):
            digest.update(part.tobytes())
    print(json.dumps({"import": imported, "fit": fitted, "groups": len(groups),
                      "sentences": sum(len(g) for g in groups), "fingerprint": digest.hexdigest()[:12]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", choices=VERSIONS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_version(args.one)
        return
    results: dict[str, list[dict]] = {v: [] for v in VERSIONS}
    for _ in range(args.rounds):
        for version in VERSIONS:
            done = subprocess.run([sys.executable, __file__, "--one", version], capture_output=True, text=True,
                                  check=True)
            results[version].append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = {v: {k: min(r[k] for r in rs) for k in ("import", "fit")} for v, rs in results.items()}
    first = results["storyline"][0]
    print(f"{first['groups']} sentence groups, {first['sentences']:,} sentences; best of {args.rounds} fresh "
          "processes each, alternated\n")
    print("| CPU s | storyline | scikit-learn | scikit-learn / storyline |\n|---|---:|---:|---:|")
    for key, label in (("import", "import"), ("fit", "fit every group")):
        ours, theirs = best["storyline"][key], best["scikit-learn"][key]
        print(f"| {label} | {ours:.3f} | {theirs:.3f} | {theirs / ours:.1f} |")
    fingerprints = {v: sorted({r["fingerprint"] for r in rs}) for v, rs in results.items()}
    print("\nfingerprints: " + ", ".join(f"{v} {' '.join(f)}" for v, f in fingerprints.items()))


if __name__ == "__main__":
    main()
