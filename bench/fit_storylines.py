"""Fit the learned storyline similarity (a logistic regression: are two event stories of one storyline?).

    python bench/fit_storylines.py --train "ecb+ dev" "multiling 2011" --test "duc 2003"
    python bench/fit_storylines.py --train "duc 2003" --test "ecb+ dev" "multiling 2011"
    python bench/fit_storylines.py --train "ecb+ dev" "duc 2003" "multiling 2011"   # the coefficients in the code

Training pairs: the event stories of each training set as ``bench/clustering.py`` builds them (the data's own dates,
``cluster_articles`` with defaults), every pair of stories that share a name (the only pairs that can meet:
``storylines._candidates``), the later story against the earlier one, labelled 1 when their majority gold labels
agree (DUC 2003 TDT topics, MultiLing clusters, ECB+ events: a topic's two events must stay apart). Each set weighs
the same in the fit. Features: ``storylines.PAIR_FEATURES``. The bar (probability at which a story joins) is then
chosen on the training sets (the middle of the plateau of best mean BCubed F1 of ``group_stories`` with that
similarity), never on a test set;
``--test`` sets are scored with what was fitted, beside the default similarity in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout root: bench.* imports

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.clustering import bcubed, expand, storyline_inputs
from storyline.cluster.storylines import (
    PAIR_FEATURES,
    LearnedSimilarity,
    StorylineState,
    group_stories,
    pair_features,
    story_profile,
)
from storyline.config import StorylineOptions
from storyline.models import Article, Story

SETS = ("ecb+ dev", "ecb+ dev, all dated one day", "duc 2003", "multiling 2011")
BARS = [round(float(b), 2) for b in np.arange(0.3, 0.96, 0.05)]
LINKS = ("mean", "max", "pooled")


@dataclass(frozen=True, slots=True)
class LearnedWithVectors(LearnedSimilarity):
    """The learned similarity with one more feature: the cosine of the two sides' story vectors (mean vector of the
    pooled side; ``bench/clustering.py story_vectors``), measured here as new evidence, not in the code."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def features(self, state: StorylineState, story: str, others: Sequence[str]) -> list[float]:
        pooled = np.mean([self.vectors[o] for o in others], axis=0)
        cos = float(self.vectors[story] @ pooled / (np.linalg.norm(pooled) or 1.0))
        return [*pair_features(state, story, others), cos]


def key_name_shared(state: StorylineState, story: str, others: Sequence[str]) -> float:
    """1.0 when the story's key name (its name of highest share of articles x IDF: who or where the story is
    about) is among the names of ``others``, else 0.0: two earthquakes share "magnitude", not their place."""
    names = state.profiles[story].names
    if not names:
        return 0.0
    key = max(names, key=lambda t: (names[t] * state.idf("n:", t), t))
    return float(any(key in state.profiles[o].names for o in others))


@dataclass(frozen=True, slots=True)
class LearnedWithKeyName(LearnedSimilarity):
    """The learned similarity with one more feature, ``key_name_shared`` (measured here as new evidence: the
    story's key entity against the storyline's names)."""

    def features(self, state: StorylineState, story: str, others: Sequence[str]) -> list[float]:
        return [*pair_features(state, story, others), key_name_shared(state, story, others)]


def story_pairs(stories: list[Story], articles: list[Article], gold: dict[str, str],
                vectors: dict[str, np.ndarray] | None = None, key_name: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every pair of ``stories`` sharing a name (later story against the earlier one); with
    ``vectors``, the story-vector cosine as one more feature; with ``key_name``, ``key_name_shared``."""
    reader = (LearnedWithVectors((), 0.0, vectors=vectors) if vectors else
              LearnedWithKeyName((), 0.0) if key_name else LearnedSimilarity((), 0.0))
    by_id = {a.id: a for a in articles}
    state = StorylineState()
    for story in stories:
        state._add(story_profile(story, [by_id[a] for a in story.article_ids]))
    label = {s.id: Counter(gold[a] for a in s.article_ids).most_common(1)[0][0] for s in stories}
    ordered = sorted(label, key=state.order)
    x, y = [], []
    for i, later in enumerate(ordered):
        names = set(state.profiles[later].names)
        for earlier in ordered[:i]:
            if names & set(state.profiles[earlier].names):
                x.append(reader.features(state, later, [earlier]))
                y.append(int(label[later] == label[earlier]))
    return np.array(x, dtype=float).reshape(-1, len(PAIR_FEATURES) + bool(vectors) + key_name), np.array(y)


def fit(train: dict[str, tuple[list[Story], list[Article], dict[str, str]]], link: str = "mean",
        vectors: dict[str, np.ndarray] | None = None, key_name: bool = False) -> LearnedSimilarity:
    """The regression over the pairs of the ``train`` sets (each set weighing the same), then the bar with the best
    mean BCubed F1 over those sets. With ``vectors`` (story id -> story vector), the story-vector cosine is one more
    feature (``LearnedWithVectors``); with ``key_name``, ``key_name_shared`` (``LearnedWithKeyName``)."""
    xs, ys, ws = [], [], []
    for stories, articles, gold in train.values():
        x, y = story_pairs(stories, articles, gold, vectors, key_name)
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / max(len(y), 1)))
    weights = np.concatenate(ws)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    model.fit(np.vstack(xs), np.concatenate(ys), sample_weight=weights * len(weights) / weights.sum())
    coef = tuple(round(float(c), 4) for c in model.coef_[0])
    intercept = round(float(model.intercept_[0]), 4)

    def model(bar: float) -> LearnedSimilarity:
        if vectors:
            return LearnedWithVectors(coef, intercept, bar, link, vectors=vectors)
        if key_name:
            return LearnedWithKeyName(coef, intercept, bar, link)
        return LearnedSimilarity(coef, intercept, bar, link)

    scores = [np.mean([bcubed(expand(group_stories(stories, articles, StorylineOptions(), model(bar)), stories),
                              gold)[2] for stories, articles, gold in train.values()]) for bar in BARS]
    plateau = [bar for bar, score in zip(BARS, scores, strict=True) if score >= max(scores) - 1e-9]
    return model(plateau[len(plateau) // 2])  # the middle of the best plateau


def inputs(names) -> dict[str, tuple[list[Story], list[Article], dict[str, str]]]:
    out = {}
    for name in names:
        articles, gold, _, _, _, stories, _ = storyline_inputs(name)
        out[name] = (stories, articles, gold)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", nargs="+", choices=SETS, required=True)
    parser.add_argument("--test", nargs="*", choices=SETS, default=[])
    parser.add_argument("--link", choices=LINKS, nargs="+", default=["mean"])
    args = parser.parse_args()
    if set(args.train) & set(args.test) or ({"ecb+ dev", "ecb+ dev, all dated one day"} & set(args.train)
                                            and {"ecb+ dev", "ecb+ dev, all dated one day"} & set(args.test)):
        parser.error("a test set must not be (a copy of) a training set")
    train, test = inputs(args.train), inputs(args.test)
    for link in args.link:
        start = time.perf_counter()
        learned = fit(train, link)
        print(f"link {link}: fitted on {', '.join(args.train)} in {time.perf_counter() - start:.1f} s")
        print("    " + ", ".join(f"{n} {c:+.4f}" for n, c in zip(PAIR_FEATURES, learned.coef, strict=True))
              + f", intercept {learned.intercept:+.4f}, bar {learned.bar}")
        print(f"    LearnedSimilarity(coef={learned.coef}, intercept={learned.intercept}, bar={learned.bar}, "
              f"link={link!r})")
        for name, (stories, articles, gold) in test.items():
            default = bcubed(expand(group_stories(stories, articles, StorylineOptions()), stories), gold)
            start = time.perf_counter()
            ours = bcubed(expand(group_stories(stories, articles, StorylineOptions(), learned), stories), gold)
            print(f"    {name}: learned P/R/F1 {ours[0]:.3f}/{ours[1]:.3f}/{ours[2]:.3f} "
                  f"({time.perf_counter() - start:.1f} s), rules (the default) {default[0]:.3f}/{default[1]:.3f}/"
                  f"{default[2]:.3f}")


if __name__ == "__main__":
    main()
