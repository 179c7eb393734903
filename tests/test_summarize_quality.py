"""Quality gates on real data: ROUGE on DUC 2003 and citation precision on the hand labels (floors under today's)."""

from __future__ import annotations

import statistics
from dataclasses import replace

from bench import attribution as attribution_bench
from bench import small as small_bench
from bench import summaries as summaries_bench
from bench.mds import load
from rouge_score import rouge_scorer

from storyline.config import SummaryOptions
from storyline.summary import summarize_story
from storyline.summary.index import word_count


def _rouge(system, clusters) -> tuple[float, float]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = [summaries_bench.rouge(scorer, summaries_bench.cut(system(c.articles, 100), 100), c.references)
              for c in clusters]
    return statistics.fmean(s["rouge1_r"] for s in scores), statistics.fmean(s["rouge2_r"] for s in scores)


def test_rouge_floor_on_three_duc_clusters_and_above_lead() -> None:
    clusters = load("duc2003", limit=3)
    r1, r2 = _rouge(summaries_bench.storyline_system, clusters)
    lead1, lead2 = _rouge(summaries_bench.lead_system, clusters)
    # Measured 0.4037 / 0.1108 (bench/RESULTS.md); lead 0.3567 / 0.0954.
    assert r1 >= 0.385 and r2 >= 0.100, (r1, r2)
    assert r1 > lead1 and r2 > lead2


def test_citation_precision_on_the_hand_labels() -> None:
    items = attribution_bench.load_labels(SummaryOptions())
    _, supported = attribution_bench.judgements(items)
    by_pair, _ = attribution_bench.judgements(items)
    cited = attribution_bench.citations_storyline(items, "static")
    judged = [by_pair[(k[0], k[1], span)] for k, span in cited.items() if (k[0], k[1], span) in by_pair]
    precision = sum(label == "yes" for label in judged) / len(judged)
    found = sum(1 for k, span in cited.items() if k in supported and by_pair.get((k[0], k[1], span)) == "yes")
    # Measured: precision 0.889 (8 of 9), recall 0.16 (8 of 50) with the default static verifier.
    assert len(judged) == len(cited) >= 8
    assert precision >= 0.85 and found / len(supported) >= 0.14, (precision, found)


def _small_rouge(system, stories) -> tuple[float, float]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    scores = [summaries_bench.rouge(scorer, summaries_bench.cut(system(s.articles, small_bench.WORDS),
                                                                 small_bench.WORDS), s.references)
              for s in stories]
    return statistics.fmean(s["rouge1_r"] for s in scores), statistics.fmean(s["rouge2_r"] for s in scores)


def _storyline_small(articles, words: int) -> list[str]:
    options = replace(SummaryOptions(), words=words, fill=False, verifier="static")  # citations don't choose
    summary, _ = summarize_story(articles, options)
    assert sum(word_count(s.text) for s in summary) <= words
    return [s.text for s in summary]


def test_small_stories_beat_lexrank_and_textrank() -> None:
    """Stories of 2-3 articles (subsets of DUC 2003 clusters, 117 words) choose with the small-story prior."""
    stories = small_bench.mds_small("duc2003")[:20]
    r1, r2 = _small_rouge(_storyline_small, stories)
    # Measured 0.3985 / 0.1036; LexRank 0.3524 / 0.0647, TextRank 0.3803 / 0.0797 (bench/RESULTS.md, issue 20).
    assert r1 >= 0.39 and r2 >= 0.098, (r1, r2)
    for name in ("lexrank", "textrank"):
        b1, b2 = _small_rouge(summaries_bench.SYSTEMS[name], stories)
        assert r1 > b1 and r2 > b2, (name, r1, r2, b1, b2)


def test_hand_judged_small_summaries_lead_with_the_event() -> None:
    """30 ECB+ dev small stories judged by hand (bench/labels/small_stories.jsonl, rule in docs/summaries.md)."""
    shares = summaries_bench.label_shares(systems=("storyline",), repeats=False)["storyline"]
    # Measured (static verifier): first sentence states the event 28/30, sentences a reader needs 119/153 = 0.78
    # (0.74 before the core term and the repeat check), none unjudged.
    assert shares.stories == 30
    assert shares.first_event >= 27, shares
    assert shares.needed / shares.judged >= 0.75, shares
    assert shares.unjudged <= 5, shares  # more means the selection changed: judge the new spans (docs/summaries.md)
