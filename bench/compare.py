"""Source comparison benchmark: dates, quotes with speakers, entity merging, agreement, conflicts, and cost against
the summary.

    python bench/compare.py            # all parts (about two minutes on 2 cores)
    python bench/compare.py --part dates

Labels (bench/labels/compare_*.json) are ids, offsets and judgments; the text is read from ../shared at run time.
Each part prints storyline's figure beside named baselines run in the same process on the same input.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, replace
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from statistics import median

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"
LABELS = ROOT / "bench" / "labels"

from storyline.compare import compare_story  # noqa: E402
from storyline.compare.align import content_stems, split_units, unit_similarity  # noqa: E402
from storyline.compare.claims import Alignment, agreed_facts, link_units  # noqa: E402
from storyline.compare.entities import fold  # noqa: E402
from storyline.compare.nlp import annotate  # noqa: E402
from storyline.config import CompareOptions, SummaryOptions  # noqa: E402
from storyline.embed import shared_vectors  # noqa: E402
from storyline.models import Article  # noqa: E402
from storyline.summary import summarize_story  # noqa: E402
from storyline.text.dates import find_dates  # noqa: E402
from storyline.text.sentences import split_sentences  # noqa: E402


def _table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(f"{c:.3f}" if isinstance(c, float) else str(c) for c in row) + " |")


def _ecb() -> dict[str, dict]:
    return {d["id"]: d for d in map(json.loads, (SHARED / "data/ecbplus/dev.jsonl").open(encoding="utf-8"))}


def _article(doc_id: str, text: str) -> Article:
    article = Article(id=doc_id, text=text)
    article.sentences = split_sentences(text, doc_id)
    return article


# --- dates -------------------------------------------------------------------------------------------------------
def bench_dates() -> None:
    labels = json.loads((LABELS / "compare_dates.json").read_text(encoding="utf-8"))["expressions"]
    docs = {}
    for cluster in map(json.loads, (SHARED / "data/mds/duc2003_task2.jsonl").open(encoding="utf-8")):
        docs.update(zip(cluster["doc_ids"], cluster["documents"], strict=True))
    from dateutil import parser as dateutil_parser

    def ours(row: dict, anchor: date | None) -> str | None:
        found = [m for m in find_dates(docs[row["doc"]], anchor) if m.start <= row["start"] < m.end]
        return found[0].date if found else "(missed)"

    def pub_date(row: dict) -> str | None:
        """Baseline: every expression dated by the article's publication day (cut to the gold's precision)."""
        return row["published"][: len(row["gold"])] if row["gold"] else row["published"]

    def with_dateutil(row: dict) -> str | None:
        """Baseline: dateutil's fuzzy parser with the publication date as default (cut to the gold's precision)."""
        text = docs[row["doc"]][row["start"] : row["end"]]
        try:
            parsed = dateutil_parser.parse(text, default=datetime.fromisoformat(row["published"]), fuzzy=True)
        except (ValueError, OverflowError):
            return None
        return parsed.date().isoformat()[: len(row["gold"] or "")] if row["gold"] else parsed.date().isoformat()

    systems = {
        "storyline text.dates (publication date as anchor)": lambda r: ours(r, date.fromisoformat(r["published"])),
        "storyline text.dates, no anchor (absolute only)": lambda r: ours(r, None),
        "dateutil.parser fuzzy, default = publication date": with_dateutil,
        "publication date for every expression": pub_date,
    }
    rows = []
    for name, system in systems.items():
        correct = sum(system(r) == r["gold"] for r in labels)
        rows.append([name, len(labels), correct, correct / len(labels)])
    base = rows[0][3]
    rows = [[*r, r[3] / base if base else 0.0] for r in rows]
    _table(f"Date normalization: {len(labels)} expressions from DUC 2003 (publication date from the doc id)",
           ["system", "expressions", "correct", "accuracy", "vs storyline"], rows)  # fmt: skip


# --- quotes ------------------------------------------------------------------------------------------------------
def _speaker_ok(predicted: str | None, gold: str | None) -> bool:
    """The predicted speaker names the gold one (its last word); a quote the labels give no speaker needs none."""
    if gold is None:
        return predicted is None
    return bool(predicted) and fold(gold).split()[-1] in fold(predicted or "").split()


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0.5 * min(a[1] - a[0], b[1] - b[0])


def _quote_scores(predicted: list[tuple[str, int, int, str | None]], gold: list[dict]) -> tuple[float, float, float]:
    used: set[int] = set()
    hits = 0
    for doc, start, end, speaker in predicted:
        for i, g in enumerate(gold):
            if i not in used and g["doc"] == doc and _overlap((start, end), (g["start"], g["end"])):
                if _speaker_ok(speaker, g["speaker"]):
                    hits += 1
                used.add(i)
                break
    p = hits / len(predicted) if predicted else 0.0
    r = hits / len(gold) if gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def bench_quotes() -> None:
    data = json.loads((LABELS / "compare_quotes.json").read_text(encoding="utf-8"))
    ecb = _ecb()
    ours: list[tuple[str, int, int, str | None]] = []
    baseline: list[tuple[str, int, int, str | None]] = []
    marks = re.compile(r"[\"“]([^\"”\n]{10,})[\"”]")
    for doc_id in data["documents"]:
        article = _article(doc_id, ecb[doc_id]["text"])
        ours += [(doc_id, q.start, q.end, q.speaker) for q in compare_story([article]).quotes]
        # Baseline: text in quotation marks, speaker = the nearest PERSON entity in the same sentence.
        docs = annotate([s.text for s in article.sentences])
        for m in marks.finditer(article.text):
            sentence = next((s for s, d in zip(article.sentences, docs, strict=True) if s.start <= m.start() < s.end),
                            None)  # fmt: skip
            people = []
            doc = docs[article.sentences.index(sentence)] if sentence is not None else None
            if doc is not None:  # None: a sentence with no possible name
                people = [
                    (abs(sentence.start + e.start_char - m.end()), e.text)
                    for e in doc.ents
                    if e.label_ == "PERSON" and not m.start() <= sentence.start + e.start_char < m.end()
                ]
            baseline.append((doc_id, m.start(1), m.end(1), min(people)[1] if people else None))
    rows = []
    for name, predicted in (("storyline compare.quotes (direct + indirect, parse-based speaker)", ours),
                            ("quotation marks + nearest PERSON in the sentence", baseline)):  # fmt: skip
        p, r, f = _quote_scores(predicted, data["quotes"])
        rows.append([name, len(predicted), p, r, f])
    _table(f"Quotes with speakers: {len(data['quotes'])} labeled quotes in {len(data['documents'])} ECB+ documents",
           ["system", "predicted", "precision", "recall", "F1"], rows)  # fmt: skip


# --- entities ----------------------------------------------------------------------------------------------------
def _story_articles(name: str, ecb: dict[str, dict]) -> list[Article]:
    if name == "seeds":
        paths = sorted((SHARED / "seeds").iterdir())
        return [_article(p.name, p.read_text(encoding="utf-8")) for p in paths]
    ids = [d for d in ecb if ecb[d]["event"] == name][:6]
    return [_article(d, ecb[d]["text"]) for d in ids]


def _pairs(clusters: list[set[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for c in clusters for p in combinations(sorted(c), 2)}


def bench_entities() -> None:
    """Pairwise merging precision/recall over the names found, and how many of the names the previous default (spaCy
    on every sentence) found each system finds."""
    data = json.loads((LABELS / "compare_entities.json").read_text(encoding="utf-8"))["stories"]
    ecb = _ecb()
    systems = {"storyline compare.entities (titles, surnames, initialisms, aliases)": CompareOptions(),
               "previous default (spaCy on every sentence that may name someone)": PREVIOUS_DEFAULT}  # fmt: skip
    baselines = {"exact name match (case-insensitive)": lambda s: s.lower(),
                 "accent/case/article-folded match": lambda s: " ".join(w for w in fold(s).split() if w != "the")}
    totals = {name: [0, 0, 0, 0, 0] for name in (*systems, *baselines)}
    for story, gold_clusters in data.items():
        articles = _story_articles(story, ecb)
        found = {name: compare_story(articles, options).entities for name, options in systems.items()}
        every = {n for e in found[PREVIOUS_NAME] for n in (e.name, *e.aliases)}
        for name, entities in found.items():
            surfaces = {n for e in entities for n in (e.name, *e.aliases)}
            gold = _pairs([set(c) & surfaces for c in gold_clusters])
            predicted = {name: _pairs([{e.name, *e.aliases} for e in entities])}
            if name == PREVIOUS_NAME:
                predicted |= {b: _pairs(_group(surfaces, key)) for b, key in baselines.items()}
            for system, pairs in predicted.items():
                totals[system][0] += len(pairs & gold)
                totals[system][1] += len(pairs)
                totals[system][2] += len(gold)
                totals[system][3] += len(surfaces & every)
                totals[system][4] += len(every)
    rows = []
    for name, (hit, pred, gold_n, kept, every_n) in totals.items():
        p = hit / pred if pred else 0.0
        r = hit / gold_n if gold_n else 0.0
        rows.append([name, pred, p, r, 2 * p * r / (p + r) if p + r else 0.0, f"{kept}/{every_n}"])
    _table(f"Entity merging: pairwise precision/recall over names, {len(data)} stories",
           ["system", "predicted pairs", "precision", "recall", "F1", "names of the previous default found"],
           rows)  # fmt: skip


def _group(surfaces: set[str], key) -> list[set[str]]:  # type: ignore[no-untyped-def]
    groups: dict[str, set[str]] = {}
    for s in surfaces:
        groups.setdefault(key(s), set()).add(s)
    return list(groups.values())


# --- agreement ---------------------------------------------------------------------------------------------------
def _previous_links(alignment: Alignment, previous_agree: float = 0.5, anchor_cosine: float = 0.45) -> Alignment:
    """Pinned copy of the agreement rule before issue 17: paraphrase score >= 0.5, or a shared story-rare stem (one
    no article uses in two units) at embedding cosine >= 0.45; datelines included."""
    units, stems = alignment.units, alignment.stems
    per_article: dict[tuple[str, str], int] = {}
    for unit, unit_stems in zip(units, stems, strict=True):
        for s in unit_stems:
            per_article[(unit.article_id, s)] = per_article.get((unit.article_id, s), 0) + 1
    rare = {s for st in stems for s in st} - {s for (_, s), n in per_article.items() if n > 1}
    linked = alignment.score >= previous_agree
    for i, j in zip(*np.nonzero((alignment.cosine >= anchor_cosine) & ~linked), strict=True):
        if stems[i] & stems[j] & rare:
            linked[i, j] = linked[j, i] = True
    articles = np.array([u.article_id for u in units])
    linked &= articles[:, None] != articles[None, :]
    # the claims of that rule were star clusters over the same links, by paraphrase score
    return Alignment(units, alignment.score, alignment.cosine, alignment.score, linked, stems)


def bench_agree() -> None:
    """Precision/recall of "agreed" on the judged sentence pairs of bench/labels/compare_agree.json.

    A pair counts as agreed by storyline when both sentences are cited by one agreed claim (what a reader sees);
    by a plain threshold when their MiniLM cosine reaches it. Recall is over the judged pairs, which were drawn
    from score bands (so it is not the recall over all pairs of a story)."""
    from agree_sample import story_articles, texts  # bench/, the script's own folder, is on sys.path
    from storyline.embed import encode

    data = json.loads((LABELS / "compare_agree.json").read_text(encoding="utf-8"))
    by_id = texts()
    systems = ["storyline (issue 15): cosine + coverage >= 0.61, statements only (cascade: MiniLM on <= 12 units)",
               "same rule, static embeddings only (embedder static)",
               "previous default (issue 17): same rule, embedder auto (MiniLM up to 60 units), static shift 0.1",
               "same rule, MiniLM for every story (embedder minilm)",
               "previous links (paraphrase score >= 0.5 or a shared rare word at cosine >= 0.45), grouped as today",
               "MiniLM cosine >= 0.6", "MiniLM cosine >= 0.7"]  # fmt: skip
    predicted: dict[str, list[bool]] = {name: [] for name in systems}
    truth: list[bool] = []
    part: dict[str, list[int]] = {"ecbplus": [], "multiling2011_en": []}
    for story in data["stories"]:
        pairs = [p for p in data["pairs"] if p["story"] == story["name"]]
        articles = story_articles(story, by_id)
        units = [u for a in articles for u in split_units(a)]
        at = {(u.article_id, u.start): i for i, u in enumerate(units)}
        stems = [content_stems(u.text) for u in units]
        minilm = encode("minilm", [u.text for u in units])
        cosine = minilm @ minilm.T
        together: dict[str, set[frozenset[int]]] = {}
        variants = ((systems[0], CompareOptions()), (systems[1], CompareOptions(embedder="static")),
                    (systems[2], PREVIOUS_DEFAULT), (systems[3], CompareOptions(embedder="minilm")))  # fmt: skip
        for name, options in variants:
            score, cos = unit_similarity(units, options, stems)
            alignment = link_units(units, score, cos, options, stems)
            together[name] = {frozenset((i, j)) for f in agreed_facts(alignment) for i in f.units for j in f.units}
            if name == systems[2]:
                old = agreed_facts(_previous_links(alignment))
                together[systems[4]] = {frozenset((i, j)) for f in old for i in f.units for j in f.units}
        for p in pairs:
            i, j = at[(p["a"], p["a_start"])], at[(p["b"], p["b_start"])]
            truth.append(bool(p["agree"]))
            part[story["source"]].append(len(truth) - 1)
            for name in systems[:5]:
                predicted[name].append(frozenset((i, j)) in together[name])
            predicted[systems[5]].append(bool(cosine[i, j] >= 0.6))
            predicted[systems[6]].append(bool(cosine[i, j] >= 0.7))
    rows = []
    for name in systems:
        row: list[object] = [name]
        for chosen in (range(len(truth)), part["ecbplus"], part["multiling2011_en"]):
            hit = sum(predicted[name][k] and truth[k] for k in chosen)
            n = sum(predicted[name][k] for k in chosen)
            prec, rec = hit / n if n else 0.0, hit / max(sum(truth[k] for k in chosen), 1)
            row += [n, hit, prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0] if len(row) == 1 else [
                prec, rec]
        rows.append(row)
    _table(f"Agreement: {len(truth)} judged sentence pairs ({sum(truth)} agree) of {len(data['stories'])} ECB+ dev "
           "and MultiLing stories of 2-5 articles (static_shift fitted on the ECB+ part; MultiLing checks it)",
           ["system", "agreed", "correct", "precision", "recall", "F1", "ECB+ P", "ECB+ R", "MultiLing P",
            "MultiLing R"], rows)  # fmt: skip


# --- conflicts ---------------------------------------------------------------------------------------------------
def _conflict_articles(story: dict, ecb: dict[str, dict], mds: dict[str, str]) -> list[Article]:
    """The articles of a labeled story; DUC documents are dated by their id (APW19981016.0240 is 1998-10-16)."""
    articles = []
    for doc_id in story["ids"]:
        article = _article(doc_id, ecb[doc_id]["text"] if story["source"] == "ecbplus" else mds[doc_id])
        digits = re.search(r"(19|20)\d{6}", doc_id)
        if story["source"] == "duc2003_task2" and digits:
            article.published = datetime.strptime(digits.group(0), "%Y%m%d")
        articles.append(article)
    return articles


PREVIOUS_DEFAULT = CompareOptions(embedder="auto", static_shift=0.1, model_sentences=0)
"""The comparison before issue 15's bounded models: MiniLM alignment for stories of up to 60 units, spaCy on every
sentence that may hold a name."""

PREVIOUS_NAME = "previous default (spaCy on every sentence that may name someone)"

CONFLICT_SYSTEMS = {
    "storyline compare (defaults: what the figure counts)": CompareOptions(),
    "previous default (embedder auto, static shift 0.1, spaCy on every sentence)": PREVIOUS_DEFAULT,
    "earlier rule: same unit noun + a shared word around the figures": CompareOptions(conflict_match="context"),
    "wide: any close pair (score >= 0.3) with differing figures of one unit": CompareOptions(
        conflict_match="context", conflict=0.3, conflict_shared=0
    ),
    "figures only: any two sentences sharing a word, differing figures of one unit": CompareOptions(
        conflict_match="context", conflict=-1.0, conflict_shared=1
    ),
}


def bench_conflicts(unjudged_path: str | None = None) -> None:
    data = json.loads((LABELS / "compare_conflicts.json").read_text(encoding="utf-8"))
    ecb = _ecb()
    mds = {}
    for name in ("duc2003_task2", "multiling2011_en"):
        for cluster in map(json.loads, (SHARED / f"data/mds/{name}.jsonl").open(encoding="utf-8")):
            mds.update(zip(cluster["doc_ids"], cluster["documents"], strict=True))
    gold = {(j["a"], j["a_start"], j["b"], j["b_start"]): j["conflict"] for j in data["judgments"]}
    found: dict[tuple[str, str], set[tuple[str, int, str, int]]] = {}
    unjudged: dict[tuple[str, int, str, int], dict] = {}
    for story in data["stories"]:
        articles = _conflict_articles(story, ecb, mds)
        texts = {a.id: a.text for a in articles}
        for name, options in CONFLICT_SYSTEMS.items():
            for conflict in compare_story(articles, options).conflicts:
                # A conflict lists every article giving each of its values (issue 19 items 8-9 merged the copies):
                # each pair of sides from two articles with different values is one finding, as the test gate counts.
                sides = sorted(conflict.sides, key=lambda s: (s.article_id, s.start))
                for a, b in itertools.combinations(sides, 2):
                    if a.article_id == b.article_id or a.value.lower() == b.value.lower():
                        continue
                    key = (a.article_id, a.start, b.article_id, b.start)
                    found.setdefault((name, story["set"]), set()).add(key)
                    if key in gold:
                        continue
                    unjudged[key] = {"a": a.article_id, "a_start": a.start, "b": b.article_id, "b_start": b.start,
                                     "about": conflict.about, "values": [a.value, b.value],
                                     "a_text": texts[a.article_id][a.start : a.end],
                                     "b_text": texts[b.article_id][b.start : b.end]}  # fmt: skip
    if unjudged_path:
        with open(unjudged_path, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in unjudged.values())
        print(f"{len(unjudged)} unjudged flagged pairs written to {unjudged_path} (with their text: not for git)")
    for part in ("dev", "heldout"):
        stories = [s for s in data["stories"] if s["set"] == part]
        docs = {d for s in stories for d in s["ids"]}
        truth = {k for k, v in gold.items() if v and k[0] in docs}
        judged_n = sum(1 for k in gold if k[0] in docs)
        rows = []
        for name in CONFLICT_SYSTEMS:
            flagged = found.get((name, part), set())
            hit = len(flagged & truth)
            judged = flagged & set(gold)
            p = hit / len(judged) if judged else 0.0
            r = hit / len(truth) if truth else 0.0
            rows.append([name, len(flagged), len(flagged - set(gold)), p, r, 2 * p * r / (p + r) if p + r else 0.0])
        _table(
            f"Conflict detection, {part}: {len(truth)} true conflicts among {judged_n} pooled judged pairs, "
            f"{len(stories)} stories (precision over judged pairs)",
            ["system", "flagged", "unjudged", "precision", "recall", "F1"],
            rows,
        )


# --- cost ---------------------------------------------------------------------------------------------------------
def _fingerprint(comparison: object) -> str:
    return json.dumps(asdict(comparison), sort_keys=True, default=str)  # type: ignore[call-overload]


def bench_cost() -> None:
    """CPU seconds per story of the summary and of the comparison, in the same process on the same stories.

    "as digest runs it" rows run the comparison right after the summary inside one ``shared_vectors`` block (as
    ``digest`` does), so sentences the summary's MiniLM citation check already encoded are not encoded again; the
    "alone" rows run it on its own, without a summary. The previous default is ``PREVIOUS_DEFAULT`` (MiniLM
    alignment for every unit of stories up to 60 units, spaCy on every sentence that may hold a name). Times are this
    process's CPU seconds (all its threads), so other jobs on a shared machine do not skew the ratios. The last
    column counts the stories whose whole comparison (every claim, score, conflict, quote, entity, date) is the
    same as the previous default's.
    """
    ecb = _ecb()
    events: dict[str, list[str]] = {}
    for doc_id, doc in ecb.items():
        events.setdefault(doc["event"], []).append(doc_id)
    stories = [ids[:8] for _, ids in sorted(events.items()) if len(ids) >= 3][:24]
    warm = [_article(i, ecb[i]["text"]) for i in stories[0][:2]]
    for embedder in ("minilm", "static"):  # load the models once, outside the timing
        compare_story(warm, CompareOptions(embedder=embedder))
    summary: list = []
    previous, new = PREVIOUS_DEFAULT, CompareOptions()
    systems = {  # name: (options, after the summary in one shared_vectors block)
        "previous default (auto: MiniLM alignment up to 60 units, spaCy on every sentence), as digest runs it": (
            previous, True),
        "new default (cascade: MiniLM on <= 12 units; spaCy on <= 48 sentences), as digest runs it": (new, True),
        "new alignment, spaCy on every sentence, as digest runs it": (replace(new, model_sentences=0), True),
        "static alignment, spaCy on <= 48 sentences, as digest runs it": (replace(new, embedder="static"), True),
        "previous default, compare alone": (previous, False),
        "new default, compare alone": (new, False),
    }
    timings: dict[str, list[float]] = {"summary": [], **{name: [] for name in systems}}
    same: dict[str, int] = {name: 0 for name in systems}
    units = []
    for ids in stories:
        articles = [_article(i, ecb[i]["text"]) for i in ids]
        units.append(sum(len(split_units(a)) for a in articles))
        reference = None
        for name, (options, shared) in systems.items():
            with ExitStack() as stack:
                if shared:
                    stack.enter_context(shared_vectors())
                    t0 = time.process_time()
                    summary, _ = summarize_story(articles, SummaryOptions())
                    if name.startswith("previous"):
                        timings["summary"].append(time.process_time() - t0)
                t0 = time.process_time()
                result = compare_story(articles, options, summary if shared else ())
                timings[name].append(time.process_time() - t0)
            reference = reference or _fingerprint(result)
            same[name] += _fingerprint(result) == reference
    base = sum(timings["summary"])
    old = sum(timings[next(iter(systems))])
    rows = []
    for name, values in timings.items():
        rows.append([name, len(values), median(values), sum(values), sum(values) / base, sum(values) / old,
                     same.get(name, "")])  # fmt: skip
    _table(f"Cost per story: {len(stories)} ECB+ stories of 3-8 articles ({min(units)}-{max(units)} units, "
           f"{sum(u <= previous.minilm_units for u in units)} aligned with MiniLM before), same process",
           ["stage", "stories", "median CPU s/story", "total CPU s", "x summary", "x previous (digest)",
            "same output as previous"], rows)  # fmt: skip


PARTS = {
    "dates": bench_dates,
    "quotes": bench_quotes,
    "entities": bench_entities,
    "agree": bench_agree,
    "conflicts": bench_conflicts,  # type: ignore[dict-item]
    "cost": bench_cost,
}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), action="append", help="run only these parts")
    parser.add_argument("--unjudged", metavar="PATH", help="conflicts: write the flagged pairs not yet judged here")
    args = parser.parse_args()
    for part in args.part or list(PARTS):
        if part == "conflicts":
            bench_conflicts(args.unjudged)
        else:
            PARTS[part]()
