"""Fit the concept-weight model (a logistic regression: does a human summary use this concept?) on one data set.

    python bench/fit_concepts.py --train duc2003          # fit on DUC 2003, print the weights for scoring.py

Each story's concepts (``scoring.concept_features``) are labelled with the share of its reference summaries that
contain them. The training stories are the data set's clusters and, so that small stories are seen too, random
subsets of 2 and 3 articles of each cluster (scored against the cluster's references). RegSum (Hong & Nenkova
2014) is the idea: predict which words a person would keep, from where and how widely the sources use them.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout root: bench.* imports

import numpy as np

from bench.mds import DATASETS, load
from storyline.config import SummaryOptions
from storyline.summary.index import index_story
from storyline.summary.scoring import CONCEPT_FEATURES, CONCEPTS, ConceptModel, concept_features, concepts_of
from storyline.summary.terms import sentence_terms


def stories(name: str, subsets: int, seed: int = 0, keep=None) -> list[tuple[list, list[str]]]:
    """The clusters of ``name`` and ``subsets`` random 2-3-article subsets of each, with the cluster's references.

    ``keep(k)`` (optional) says which clusters, by place in the file, to use.
    """
    rng = random.Random(seed)
    out = []
    for k, cluster in enumerate(load(name)):
        if keep is not None and not keep(k):
            continue
        out.append((cluster.articles, cluster.references))
        for _ in range(subsets):
            size = rng.choice([2, 3])
            out.append((rng.sample(cluster.articles, size), cluster.references))
    return out


def examples(story_list, function_bigrams: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels (share of references using the concept) of every concept of every story."""
    options = replace(SummaryOptions(), fill=True)
    concepts_cfg = replace(CONCEPTS, function_bigrams=function_bigrams)
    xs, ys = [], []
    for articles, references in story_list:
        index = index_story(articles, options)
        if len(index) == 0:
            continue
        concepts = [concepts_of(index.terms[i], concepts_cfg) for i in range(len(index))]
        names, rows, _ = concept_features(index, concepts)
        ref_sets = [concepts_of(sentence_terms(r), concepts_cfg) for r in references]
        xs.append(rows)
        ys.append(np.array([sum(c in s for s in ref_sets) / len(ref_sets) for c in names]))
    return np.vstack(xs), np.concatenate(ys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", choices=list(DATASETS), default="duc2003")
    parser.add_argument("--subsets", type=int, default=4, help="random 2-3-article subsets per cluster")
    args = parser.parse_args()
    x, y = examples(stories(args.train, args.subsets))
    model = fit(x, y)
    print(f"{len(y)} concepts, mean label {y.mean():.4f}")
    for name, w in zip(CONCEPT_FEATURES, model.weights, strict=True):
        print(f"  {name}: {w:+.3f}")
    print(model_source(model))


def fit(x: np.ndarray, y: np.ndarray) -> ConceptModel:
    """Logistic regression with fractional labels: each concept is a positive with weight y, a negative with 1 - y."""
    from sklearn.linear_model import LogisticRegression

    features = np.vstack([x, x])
    labels = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    sample_weight = np.concatenate([y, 1.0 - y])
    model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=True)
    model.fit(features, labels, sample_weight=sample_weight)
    return ConceptModel(float(model.intercept_[0]), tuple(float(w) for w in model.coef_[0]))


def model_source(model: ConceptModel) -> str:
    weights = ", ".join(f"{w:.3f}" for w in model.weights)
    return f"ConceptModel(bias={model.bias:.3f}, weights=({weights}))"


if __name__ == "__main__":
    main()
