"""Precision and recall of summary citations against hand labels, storyline vs simpler attribution baselines.

    python bench/attribution.py            # evaluate every method on bench/labels/attribution.jsonl
    python bench/attribution.py --fit      # refit the support model's weights on the labels (prints them)
    python bench/attribution.py --pool     # print the unlabelled pairs to judge (texts read from ../shared)

The labels (bench/labels/attribution.jsonl) hold ids, offsets and a hash of each text, never the text itself.
Each label judges one pair: a summary sentence (the claim, a span of one article) and a candidate span of
another article of the same story: 'yes' = the span states the claim's main fact; 'partial' = it shares a fact
but not the main one; 'no' = it does not support the claim. The pool was drawn independently of the support
model: for every summary sentence of the sampled stories and every other article, that article's best sentence
by static-embedding cosine, by MiniLM cosine and by word overlap (each when above a low bar), so recall is
measured against every supporting article the pool found, not only the ones storyline already cites.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout root: bench.* imports

from bench.mds import load
from storyline.config import SummaryOptions
from storyline.ingest import read_inputs
from storyline.models import Article
from storyline.summary import attribution
from storyline.summary.index import StorySentences, index_story
from storyline.summary.select import summarize_story
from storyline.summary.vectors import embed_texts
from storyline.text.sentences import split_sentences

LABELS = Path(__file__).resolve().parent / "labels" / "attribution.jsonl"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def digest(text: str) -> str:
    """A short hash that ties a label to the exact text it judged, without storing the text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def seeds_story() -> list[Article]:
    """The two seed articles, read by the same reader the CLI uses."""
    articles, rejected, _ = read_inputs([str(SEEDS)])
    if rejected:
        raise ValueError(f"cannot read the seeds: {rejected}")
    for article in articles:
        article.sentences = split_sentences(article.text, article.id)
    return articles


def stories() -> dict[str, list[Article]]:
    """The sampled stories: the seeds, the first four DUC 2003 clusters and the first MultiLing 2011 cluster."""
    out = {"seeds": seeds_story()}
    out.update({f"duc2003/{c.id}": c.articles for c in load("duc2003", limit=4)})
    out.update({f"multiling2011/{c.id}": c.articles for c in load("multiling2011", limit=1)})
    return out


def _locate(index: StorySentences, article_id: str, start: int, end: int) -> int:
    for i, s in enumerate(index.sentences):
        if s.article_id == article_id and s.start == start and s.end == end:
            return i
    raise LookupError(f"no candidate sentence {article_id}[{start}:{end}]: the splitter or candidate rules changed")


def pool(name: str, articles: list[Article], options: SummaryOptions) -> list[dict]:
    """Pairs to judge for one story: summary sentence x other article's best sentence by cosine and by overlap."""
    index = index_story(articles, options)
    summary, _ = summarize_story(articles, options)
    minilm = embed_texts([s.text for s in index.sentences], "minilm")
    pairs = []
    for sentence in summary:
        own = sentence.citations[0]
        i = _locate(index, own.article_id, own.start, own.end)
        for k in range(len(index.articles)):
            if k == index.owner[i]:
                continue
            candidates = index.of_article(k)
            if len(candidates) == 0:
                continue
            features = attribution.pair_features(index, i, candidates)
            picks = set()
            if features[:, 0].max() >= 0.45:
                picks.add(int(candidates[int(np.argmax(features[:, 0]))]))
            if features[:, 1].max() >= 0.25:
                picks.add(int(candidates[int(np.argmax(features[:, 1]))]))
            transformer = minilm[candidates] @ minilm[i]
            if transformer.max() >= 0.45:
                picks.add(int(candidates[int(np.argmax(transformer))]))
            for j in sorted(picks):
                claim, span = index.sentences[i], index.sentences[j]
                pairs.append({
                    "story": name,
                    "claim": [claim.article_id, claim.start, claim.end, digest(claim.text)],
                    "span": [span.article_id, span.start, span.end, digest(span.text)],
                    "_claim_text": claim.text,
                    "_span_text": span.text,
                })
    return pairs


@dataclass
class Labelled:
    index: StorySentences
    i: int
    j: int
    label: str


def load_labels(options: SummaryOptions) -> list[Labelled]:
    """The hand labels, each resolved to candidate positions in its story (texts checked against the hashes)."""
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    story_articles = stories()
    indexes: dict[str, StorySentences] = {}
    out = []
    for row in rows:
        if row["story"] not in indexes:
            indexes[row["story"]] = index_story(story_articles[row["story"]], options)
        index = indexes[row["story"]]
        i = _locate(index, *row["claim"][:3])
        j = _locate(index, *row["span"][:3])
        if digest(index.sentences[i].text) != row["claim"][3] or digest(index.sentences[j].text) != row["span"][3]:
            raise ValueError(f"label {row} no longer matches the text in ../shared: relabel it")
        out.append(Labelled(index, i, j, row["label"]))
    return out


Method = Callable[[Labelled], float]


_MINILM: dict[str, np.ndarray] = {}


def minilm_cosine(item: Labelled) -> float:
    """MiniLM cosine of the pair (encoded once per text, all labelled texts in one batch)."""
    a, b = item.index.sentences[item.i].text, item.index.sentences[item.j].text
    return float(_MINILM[a] @ _MINILM[b])


def encode_minilm(items: list[Labelled]) -> None:
    texts = sorted({x.index.sentences[k].text for x in items for k in (x.i, x.j)} - set(_MINILM))
    for text, vector in zip(texts, embed_texts(texts, "minilm"), strict=True):
        _MINILM[text] = vector


def minilm_features(item: Labelled) -> np.ndarray:
    return np.array([minilm_cosine(item)])


def method_cosine(item: Labelled) -> float:
    return float(item.index.vectors[item.i] @ item.index.vectors[item.j])


def method_overlap(item: Labelled) -> float:
    return float(attribution.pair_features(item.index, item.i, np.array([item.j]))[0, 1])


_TFIDF_CACHE: dict[int, np.ndarray] = {}


def method_tfidf(item: Labelled) -> float:
    """The foundation's attribution: TF-IDF cosine over the story's sentences."""
    from storyline.summary.similarity import sentence_similarity

    key = id(item.index)
    if key not in _TFIDF_CACHE:
        _TFIDF_CACHE[key] = sentence_similarity(item.index.sentences)
    return float(_TFIDF_CACHE[key][item.i, item.j])


OPTIONS = SummaryOptions()
BASELINES: dict[str, tuple[Method, float]] = {
    "tf-idf cosine >= 0.5 (foundation)": (method_tfidf, 0.5),
    "static embedding cosine >= 0.8": (method_cosine, 0.8),
    "word overlap >= 0.5": (method_overlap, 0.5),
}


def judgements(items: list[Labelled]) -> tuple[dict, set]:
    """Labels by (story, claim, span) and the (story, claim, article) groups that have a supporting span."""
    by_pair = {(id(x.index), x.i, x.j): x.label for x in items}
    supported = {(id(x.index), x.i, int(x.index.owner[x.j])) for x in items if x.label == "yes"}
    return by_pair, supported


def citations_storyline(items: list[Labelled], verifier: str) -> dict:
    """What storyline cites for every labelled claim: {(story, claim, article): span}."""
    claims: dict[int, tuple[StorySentences, set[int]]] = {}
    for x in items:
        claims.setdefault(id(x.index), (x.index, set()))[1].add(x.i)
    cited = {}
    for key, (index, wanted) in claims.items():
        ordered = sorted(wanted)
        used, found = attribution.find_support(index, ordered, verifier)
        threshold = OPTIONS.support_minilm if used == "minilm" else OPTIONS.support
        for i, supports in zip(ordered, found, strict=True):
            for support in supports:
                if support.score >= threshold:
                    cited[(key, i, int(index.owner[support.span]))] = support.span
    return cited


def _citations_baseline(items: list[Labelled], method: Method, threshold: float) -> dict:
    """A baseline's citation per (claim, article): the article's best span by ``method`` if it reaches ``threshold``."""
    cited = {}
    seen = set()
    for x in items:
        index = x.index
        if (id(index), x.i) in seen:
            continue
        seen.add((id(index), x.i))
        for k in range(len(index.articles)):
            if k == index.owner[x.i]:
                continue
            candidates = index.of_article(k)
            if len(candidates) == 0:
                continue
            scores = [method(Labelled(index, x.i, int(j), "")) for j in candidates]
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                cited[(id(index), x.i, k)] = int(candidates[best])
    return cited


def evaluate(items: list[Labelled]) -> None:
    """Precision of judged citations and recall of supporting articles, storyline's verifiers vs baselines.

    Every method cites at most one span per (claim, other article), as storyline does; a citation of a span
    nobody judged counts in 'citations' but not in precision ('judged' says how many were judged).
    """
    by_pair, supported = judgements(items)
    print(f"{len(items)} labelled pairs ({sum(x.label == 'yes' for x in items)} yes, "
          f"{sum(x.label == 'partial' for x in items)} partial, {sum(x.label == 'no' for x in items)} no); "
          f"{len(supported)} (claim, article) pairs with a supporting span")
    runs = {
        f"storyline verifier=static (support >= {OPTIONS.support})": citations_storyline(items, "static"),
        f"storyline verifier=minilm (support >= {OPTIONS.support_minilm})": citations_storyline(items, "minilm"),
    }
    runs.update({name: _citations_baseline(items, m, t) for name, (m, t) in BASELINES.items()})
    print("| method | citations | judged | precision | lenient precision | recall of supporting articles | F1 |")
    print("|---|---|---|---|---|---|---|")
    for name, cited in runs.items():
        labels = [by_pair.get((key[0], key[1], span)) for key, span in cited.items()]
        judged = [label for label in labels if label is not None]
        correct = sum(1 for label in judged if label == "yes")
        lenient = sum(1 for label in judged if label in {"yes", "partial"})
        found = sum(1 for key, span in cited.items() if key in supported and by_pair.get((*key[:2], span)) == "yes")
        precision = correct / len(judged) if judged else 0.0
        recall = found / len(supported) if supported else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"| {name} | {len(cited)} | {len(judged)} | {precision:.3f} | "
              f"{lenient / len(judged) if judged else 0.0:.3f} | {recall:.3f} | {f1:.3f} |")


def _fit_one(name: str, features: np.ndarray, target: np.ndarray) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    model = LogisticRegression(C=100.0, max_iter=5000)  # features are 0..1: little shrinkage
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    probabilities = cross_val_predict(model, features, target, cv=folds, method="predict_proba")[:, 1]
    print(f"\n{name}: 5-fold cross-validated (the model never saw the pair it scores)")
    print("| threshold | cited | precision | recall |")
    print("|---|---|---|---|")
    for threshold in (0.5, 0.55, 0.6, 0.7, 0.8, 0.9):
        cited = probabilities >= threshold
        tp = int((cited & (target == 1)).sum())
        print(f"| {threshold} | {int(cited.sum())} | {tp / max(int(cited.sum()), 1):.3f} | "
              f"{tp / max(int(target.sum()), 1):.3f} |")
    model.fit(features, target)
    weights = "".join(f"{w:.2f}, " for w in model.coef_[0]).rstrip(" ") if len(model.coef_[0]) == 1 else ", ".join(
        f"{w:.2f}" for w in model.coef_[0])
    print(f"SupportModel(bias={model.intercept_[0]:.2f}, weights=({weights}))")


def fit(items: list[Labelled]) -> None:
    """Fit both support models on the labels and report their cross-validated precision and recall."""
    target = np.array([x.label == "yes" for x in items], dtype=int)
    static = np.vstack([attribution.pair_features(x.index, x.i, np.array([x.j])) for x in items])
    _fit_one("STATIC_MODEL", static, target)
    encode_minilm(items)
    _fit_one("MINILM_MODEL", np.vstack([minilm_features(x) for x in items]), target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool", action="store_true", help="print the pairs to label as JSON lines")
    parser.add_argument("--fit", action="store_true", help="refit the support model on the labels")
    args = parser.parse_args()
    options = SummaryOptions()
    if args.pool:
        for name, articles in stories().items():
            for pair in pool(name, articles, options):
                print(json.dumps(pair, ensure_ascii=False))
        return
    items = load_labels(options)
    if args.fit:
        fit(items)
    else:
        evaluate(items)


if __name__ == "__main__":
    main()
