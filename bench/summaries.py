"""ROUGE of storyline's story summaries against classic summarizers, side by side on the same clusters and budget.

    python bench/summaries.py                 # both data sets, every cluster
    python bench/summaries.py --limit 5       # first 5 clusters of each
    python bench/summaries.py --part small    # 2-3-article stories only (ROUGE on subsets, ECB+ hand labels)

Systems: storyline; main (the selection before issue 20's fourth part: the repeat check only in stories of 2-3
articles, no surname check) and today (the selection before issue 20), both with the same candidates and citations;
sumy LexRank, TextRank and LSA; lead (first sentences of the earliest article); and the greedy oracle (sentences
chosen to maximize ROUGE-1+2 recall against the references: the extractive ceiling).
Every system gets the same sentences (storyline's splitter), fills the budget with whole sentences in its own
ranking order, and is cut at the data set's budget (100 words for DUC, 250 for MultiLing) before scoring:
ROUGE-1/2/L recall and F1 with stemming (rouge-score), averaged over the references, then over clusters.
Also times a 50-article story (five DUC clusters pooled) for every system.
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout root: bench.* imports

from rouge_score import rouge_scorer, tokenizers
from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from bench.mds import DATASETS, Cluster, load
from storyline.config import SummaryOptions
from storyline.models import Article
from storyline.summary import summarize_story
from storyline.summary.attribution import cite_all
from storyline.summary.dangling import NameUse
from storyline.summary.index import StorySentences, index_story, is_candidate, split_markup, trim_dateline, word_count
from storyline.summary.order import chronological
from storyline.summary.scoring import ConceptWeights, score_sentences
from storyline.summary.select import (
    REPEAT_ROUNDS,
    SMALL_PRIOR,
    PriorWeights,
    choose_and_cite,
    prior_weights,
    select_sentences,
)

System = Callable[[list[Article], int], list[str]]
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def candidate_sentences(articles: Sequence[Article]) -> list[str]:
    """The sentences every baseline chooses from: the same candidates storyline considers."""
    options = SummaryOptions()
    out = []
    for article in articles:
        for whole in article.sentences:
            for sentence in split_markup(whole):
                trimmed = trim_dateline(sentence)
                if is_candidate(trimmed, options):
                    out.append(trimmed.text)
    return out


def storyline_system(articles: list[Article], words: int, fill: bool = True) -> list[str]:
    summary, _ = summarize_story(articles, replace(SummaryOptions(), words=words, fill=fill))
    return [s.text for s in summary]


TODAY_CONCEPTS = ConceptWeights()
TODAY_PRIOR = PriorWeights(length_power=0.7, lead=1.0, support=1.0, centrality=1.0)
"""The selection before issue 20 (document-frequency concept weights, lead/support/centrality prior)."""


def chosen_with(
    articles: list[Article], words: int, fill: bool, concepts: ConceptWeights, prior: PriorWeights
) -> tuple[StorySentences, list[int]]:
    """Candidates and chosen positions of another selection (same candidates, order and citations as storyline)."""
    options = replace(SummaryOptions(), words=words, fill=fill)
    index = index_story(articles, options)
    if len(index) == 0:
        return index, []
    scores = score_sentences(index, concepts)
    chosen = chronological(index, select_sentences(index, scores, options, weights=prior, names=_no_names(index)))
    cite_all(index, chosen, options)  # timed like storyline's own run
    return index, chosen


def _no_names(index: StorySentences) -> list[NameUse]:
    """No sentence names anyone: the selection without the surname check."""
    return [NameUse(frozenset(), frozenset())] * len(index)


def today_chosen(articles: list[Article], words: int, fill: bool = True) -> tuple[StorySentences, list[int]]:
    return chosen_with(articles, words, fill, TODAY_CONCEPTS, TODAY_PRIOR)


def main_chosen(articles: list[Article], words: int, fill: bool = True) -> tuple[StorySentences, list[int]]:
    """The selection on main before issue 20's fourth part: the repeat check only in stories of 2-3 articles, no
    surname check."""
    options = replace(SummaryOptions(), words=words, fill=fill)
    index = index_story(articles, options)
    if len(index) == 0:
        return index, []
    rounds = REPEAT_ROUNDS if prior_weights(index) is SMALL_PRIOR else 0
    chosen, _ = choose_and_cite(index, score_sentences(index), options, names=_no_names(index), repeat_rounds=rounds)
    return index, chosen


def today_system(articles: list[Article], words: int, fill: bool = True) -> list[str]:
    index, chosen = today_chosen(articles, words, fill)
    return [index.sentences[i].text for i in chosen]


def main_system(articles: list[Article], words: int, fill: bool = True) -> list[str]:
    index, chosen = main_chosen(articles, words, fill)
    return [index.sentences[i].text for i in chosen]


def lead_system(articles: list[Article], words: int) -> list[str]:
    earliest = min(articles, key=lambda a: (a.published is None, a.published, a.id))
    chosen, used = [], 0
    for text in candidate_sentences([earliest]):
        if used >= words:
            break
        chosen.append(text)
        used += word_count(text)
    return chosen


class _Words:
    """The word tokenizer sumy needs, without NLTK's punkt data (sentences come from storyline's splitter)."""

    language = "english"

    @staticmethod
    def to_words(text: str) -> list[str]:
        return _WORD.findall(text)


def _sumy(summarizer_class: type) -> System:
    summarizer = summarizer_class(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def run(articles: list[Article], words: int) -> list[str]:
        tokenizer = _Words()
        paragraphs = []
        for article in articles:
            sentences = [SumySentence(t, tokenizer) for t in candidate_sentences([article])]
            if sentences:
                paragraphs.append(Paragraph(sentences))
        document = ObjectDocumentModel(paragraphs)

        def until_budget(infos: list) -> list:  # infos arrive best first
            kept, used = [], 0
            for info in infos:
                if used >= words:
                    break
                kept.append(info)
                used += word_count(str(info.sentence))
            return kept

        return [str(s) for s in summarizer(document, until_budget)]

    return run


class Oracle:
    """Greedy extractive ceiling: add the sentence that most raises ROUGE-1+2 recall against the references."""

    def __init__(self) -> None:
        self.tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)

    def grams(self, text: str) -> tuple[Counter, Counter]:
        tokens = self.tokenizer.tokenize(text)
        return Counter(tokens), Counter(itertools.pairwise(tokens))

    def __call__(self, articles: list[Article], words: int, references: list[str]) -> list[str]:
        sentences = candidate_sentences(articles)
        grams = [self.grams(s) for s in sentences]
        refs = [self.grams(r) for r in references]
        chosen: list[int] = []
        have1, have2 = Counter(), Counter()
        used = 0

        def value(c1: Counter, c2: Counter) -> float:
            total = 0.0
            for r1, r2 in refs:
                total += sum((c1 & r1).values()) / max(sum(r1.values()), 1)
                total += sum((c2 & r2).values()) / max(sum(r2.values()), 1)
            return total

        current = 0.0
        while used < words:
            best, best_gain = -1, 0.0
            for i, (g1, g2) in enumerate(grams):
                if i in chosen:
                    continue
                gain = value(have1 + g1, have2 + g2) - current
                if gain > best_gain:
                    best, best_gain = i, gain
            if best < 0:
                break
            chosen.append(best)
            have1 += grams[best][0]
            have2 += grams[best][1]
            current += best_gain
            used += word_count(sentences[best])
        return [sentences[i] for i in chosen]


def cut(sentences: list[str], words: int) -> str:
    """The summary text cut at ``words`` words (the DUC convention)."""
    return " ".join(" ".join(sentences).split()[:words])


def rouge(scorer: rouge_scorer.RougeScorer, text: str, references: list[str]) -> dict[str, float]:
    """ROUGE-1/2/L recall and F1, averaged over the references."""
    out: dict[str, list[float]] = {}
    for reference in references:
        scores = scorer.score(reference, text)
        for name, score in scores.items():
            out.setdefault(f"{name}_r", []).append(score.recall)
            out.setdefault(f"{name}_f", []).append(score.fmeasure)
    return {k: statistics.fmean(v) for k, v in out.items()}


SYSTEMS: dict[str, System] = {
    "storyline": storyline_system,
    "main": main_system,
    "today": today_system,
    "lexrank": _sumy(LexRankSummarizer),
    "textrank": _sumy(TextRankSummarizer),
    "lsa": _sumy(LsaSummarizer),
    "lead": lead_system,
}


def evaluate(clusters: list[Cluster], words: int) -> dict[str, dict[str, float]]:
    """Mean ROUGE and seconds per cluster of every system (and the oracle) on ``clusters``."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    oracle = Oracle()
    per: dict[str, list[dict[str, float]]] = {name: [] for name in [*SYSTEMS, "oracle"]}
    for cluster in clusters:
        for name, system in SYSTEMS.items():
            start = time.perf_counter()
            sentences = system(cluster.articles, words)
            seconds = time.perf_counter() - start
            per[name].append({**rouge(scorer, cut(sentences, words), cluster.references), "seconds": seconds})
        start = time.perf_counter()
        sentences = oracle(cluster.articles, words, cluster.references)
        seconds = time.perf_counter() - start
        per["oracle"].append({**rouge(scorer, cut(sentences, words), cluster.references), "seconds": seconds})
    return {name: {k: statistics.fmean(r[k] for r in rows) for k in rows[0]} for name, rows in per.items()}


def print_table(title: str, results: dict[str, dict[str, float]]) -> None:
    ours = results["storyline"]
    print(f"\n{title}")
    print("| system | R-1 R | R-2 R | R-L R | R-1 F | R-2 F | R-1 R ratio to storyline | R-2 R ratio | s/cluster |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['rouge1_r']:.4f} | {r['rouge2_r']:.4f} | {r['rougeL_r']:.4f} | {r['rouge1_f']:.4f} | "
            f"{r['rouge2_f']:.4f} | {r['rouge1_r'] / ours['rouge1_r']:.3f} | {r['rouge2_r'] / ours['rouge2_r']:.3f} | "
            f"{r['seconds']:.3f} |"
        )


def time_fifty(repeats: int = 3) -> None:
    """Seconds to summarize one 50-article story (five DUC clusters pooled) with each system, 100 words."""
    clusters = load("duc2003", limit=5)
    articles = [a for c in clusters for a in c.articles][:50]
    sentences = sum(len(a.sentences) for a in articles)
    storyline_system(articles[:3], 100)  # load the embedding model once, as a long-running process would
    print(f"\nOne 50-article story ({len(articles)} articles, {sentences} sentences), 100 words, best of {repeats}")
    print("| system | seconds | ratio to storyline |")
    print("|---|---|---|")
    times = {}
    for name, system in SYSTEMS.items():
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            system(articles, 100)
            best = min(best, time.perf_counter() - start)
        times[name] = best
    for name, seconds in times.items():
        print(f"| {name} | {seconds:.3f} | {seconds / times['storyline']:.2f} |")


def small_rouge() -> None:
    """ROUGE-1/2 recall on 2-3-article subsets of DUC 2003 and MultiLing clusters at the small-story budget.

    storyline, main's and today's selection run as the product does (``fill`` off: whole sentences within the
    budget, citations with the default verifier), timed in CPU seconds of this process with the systems taking
    turns on each story; the baselines fill the budget and are cut at it, as in the main table.
    """
    from bench.small import WORDS, mds_small

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    systems: dict[str, System] = {
        "storyline": lambda a, w: storyline_system(a, w, fill=False),
        "main": lambda a, w: main_system(a, w, fill=False),
        "today": lambda a, w: today_system(a, w, fill=False),
        "lexrank": SYSTEMS["lexrank"],
        "textrank": SYSTEMS["textrank"],
        "lead": lead_system,
    }
    for name in DATASETS:
        stories = mds_small(name)
        print(f"\n{name}: {len(stories)} small stories (2-3 articles of a cluster, its references), {WORDS} words")
        print("| system | R-1 R | R-2 R | words used (mean) | min | CPU s/story | ratio to main |")
        print("|---|---|---|---|---|---|---|")
        rows: dict[str, dict[str, list[float]]] = {n: {"r1": [], "r2": [], "used": [], "cpu": []} for n in systems}
        for story in stories:  # systems take turns on each story, so load on the shared machine hits all alike
            for system_name, system in systems.items():
                start = time.process_time()
                sentences = system(story.articles, WORDS)
                rows[system_name]["cpu"].append(time.process_time() - start)
                rows[system_name]["used"].append(min(word_count(" ".join(sentences)), WORDS))
                scores = rouge(scorer, cut(sentences, WORDS), story.references)
                rows[system_name]["r1"].append(scores["rouge1_r"])
                rows[system_name]["r2"].append(scores["rouge2_r"])
        main_cpu = statistics.fmean(rows["main"]["cpu"])
        for system_name, r in rows.items():
            cpu = statistics.fmean(r["cpu"])
            print(f"| {system_name} | {statistics.fmean(r['r1']):.4f} | {statistics.fmean(r['r2']):.4f} | "
                  f"{statistics.fmean(r['used']):.1f} | {min(r['used']):.0f} | {cpu:.3f} | {cpu / main_cpu:.2f} |")


SMALL_LABELS = Path(__file__).resolve().parent / "labels" / "small_stories.jsonl"


@dataclass
class LabelShares:
    """What the hand labels say about one system's summaries of the labelled ECB+ small stories."""

    stories: int
    first_event: int
    """Summaries whose first sentence states the event."""
    needed: int
    """Judged summary sentences a reader needs."""
    judged: int
    unjudged: int
    """Summary sentences nobody judged (the shares are over judged sentences)."""
    repeats: int = 0
    """Summaries in which one sentence is cited (MiniLM verifier) as support of another: two sentences, one fact."""


def label_shares(path: Path = SMALL_LABELS, systems: Sequence[str] = ("storyline", "main", "today", "lead"),
                 repeats: bool = True) -> dict[str, LabelShares]:
    """Per system: the share of summaries whose first sentence states the event, and of sentences a reader needs.

    The labels (rule in docs/summaries.md) are spans of the ECB+ small stories by id and offsets; the text hash of
    each is checked against ../shared first. ``repeats`` also counts summaries with a repeat (MiniLM citations
    between summary sentences; without it the static verifier chooses and ``LabelShares.repeats`` stays 0).
    """
    import hashlib
    import json

    from bench.small import WORDS, ecb_small

    labels: dict[tuple[str, str, int, int], dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        article_id, start, end, _digest = row["span"]
        labels[(row["story"], article_id, start, end)] = row
    story_ids = {key[0] for key in labels}
    stories = [s for s in ecb_small() if s.id in story_ids]
    texts = {a.id: a.text for s in stories for a in s.articles}
    for (_story, article_id, start, end), row in labels.items():
        digest = hashlib.sha1(texts[article_id][start:end].encode()).hexdigest()[:10]
        if digest != row["span"][3]:
            raise SystemExit(f"label {row['span']} no longer matches the text in ../shared (data or splitter changed)")
    options = replace(SummaryOptions(), words=WORDS, verifier="minilm" if repeats else "static")

    def chosen_storyline(story) -> tuple[StorySentences, list[int]]:
        index = index_story(story.articles, options)
        spans = {(s.citations[0].article_id, s.citations[0].start, s.citations[0].end): s
                 for s in summarize_story(story.articles, options)[0]}
        positions = {(s.article_id, s.start, s.end): i for i, s in enumerate(index.sentences)}
        return index, [positions[span] for span in spans]

    def chosen_lead(story) -> tuple[StorySentences, list[int]]:  # ECB+ has no dates: the story's first article
        index = index_story(story.articles, options)
        out, used = [], 0
        for i in index.of_article(0):
            if used >= WORDS:
                break
            out.append(int(i))
            used += int(index.words[i])
        return index, out

    chosen_of = {
        "storyline": chosen_storyline,
        "main": lambda story: main_chosen(story.articles, WORDS, fill=False),
        "today": lambda story: today_chosen(story.articles, WORDS, fill=False),
        "lead": chosen_lead,
    }
    out = {}
    for name in systems:
        shares = LabelShares(len(stories), 0, 0, 0, 0)
        for story in stories:
            index, chosen = chosen_of[name](story)
            spans = [(index.sentences[i].article_id, index.sentences[i].start, index.sentences[i].end) for i in chosen]
            judged = [labels.get((story.id, *span)) for span in spans]
            shares.unjudged += sum(j is None for j in judged)
            shares.first_event += bool(judged and judged[0] and judged[0]["event"])
            shares.needed += sum(bool(j and j["needed"]) for j in judged)
            shares.judged += sum(j is not None for j in judged)
            if repeats:
                cited = {(c.article_id, c.start, c.end) for cs in cite_all(index, chosen, options) for c in cs[1:]}
                shares.repeats += bool(set(spans) & cited)
        out[name] = shares
    return out


def small_labels(path: Path = SMALL_LABELS) -> None:
    """Print ``label_shares`` for storyline, main's and today's selection and lead."""
    from bench.small import WORDS

    results = label_shares(path)
    any_shares = next(iter(results.values()))
    print(f"\nECB+ dev small stories, hand-judged: {any_shares.stories} stories, {WORDS} words")
    print("| system | first sentence states the event | sentences a reader needs | summaries with a repeat "
          "| unjudged sentences |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r.first_event}/{r.stories} = {r.first_event / r.stories:.2f} | "
              f"{r.needed}/{r.judged} = {r.needed / max(r.judged, 1):.2f} | {r.repeats}/{r.stories} | "
              f"{r.unjudged} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=[*DATASETS, "all"], default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N clusters of each data set")
    parser.add_argument("--no-speed", action="store_true", help="skip the 50-article timing")
    parser.add_argument(
        "--part", choices=["mds", "small", "all"], default="all",
        help="mds: whole clusters (DUC 100 words, MultiLing 250); small: 2-3-article stories (ROUGE on DUC/MultiLing "
        "subsets, hand labels on ECB+ dev)",
    )
    args = parser.parse_args()
    if args.part in ("small", "all"):
        storyline_system(load("duc2003", limit=1)[0].articles[:2], 50)
        small_labels()
        small_rouge()
        if args.part == "small":
            return
    names = list(DATASETS) if args.data == "all" else [args.data]
    storyline_system(load("duc2003", limit=1)[0].articles[:2], 50)  # warm up the embedder outside the timings
    for name in names:
        dataset = DATASETS[name]
        clusters = load(name, args.limit)
        results = evaluate(clusters, dataset.words)
        print_table(f"{name}: {len(clusters)} clusters, {dataset.words} words", results)
    if not args.no_speed:
        time_fifty()


if __name__ == "__main__":
    main()
