"""A story one article joined, described again: with the model outputs kept by the process, beside none kept.

    python bench/kept_outputs.py                     # the 12 biggest stories of the first 1,100 replayed articles
    python bench/kept_outputs.py --articles 3000 --stories 20

The live path re-describes every story a batch touches over all its articles (``pipeline.describe_members``). With
``live.kept_sentences`` (default 10,000) each process keeps the MiniLM/static vectors and spaCy docs of the sentences
it has seen, so a story it described before pays the models only for its new article's sentences. This bench groups
the first ``--articles`` articles of bench/live.py's replay (real texts in publication order) with the batch
pipeline, takes the ``--stories`` biggest stories and, for each, times (CPU seconds of this process, default
settings) the describe of the whole story

- **none kept** (``kept = 0``, the code before): every sentence through the models;
- **kept**: after the same process described the story without its last article (as an earlier batch did);

and checks that both give the same story (summary, citations, comparison) to the character. bench/live.py measures
the same per batch, where the hit rate depends on which process described a story before.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1100, help="replayed articles grouped first [1100]")
    parser.add_argument("--stories", type=int, default=12, help="biggest stories described [12]")
    args = parser.parse_args()

    from live import replay
    from storyline import Settings
    from storyline.compare.nlp import kept_docs
    from storyline.embed import keep_outputs, kept_vectors
    from storyline.pipeline import ClusterStories, FindDuplicates, SplitSentences, describe_members, run_pipeline
    from storyline.serialize import story_to_dict

    settings = Settings(progress=False)
    grouped = run_pipeline(replay(args.articles), settings, stages=[SplitSentences(), FindDuplicates(),
                                                                     ClusterStories()])
    by_id = {a.id: a for a in grouped.articles}
    stories = sorted(grouped.stories, key=lambda s: (-len(s.article_ids), s.id))[: args.stories]
    jobs = [(s, [by_id[a] for a in s.article_ids]) for s in stories if len(s.article_ids) >= 2]

    def describe(story, members, kept: int) -> tuple[dict, float]:  # type: ignore[no-untyped-def]
        started = time.process_time()
        done = describe_members((copy.deepcopy(story), members), settings.summary, settings.compare, kept=kept)
        return story_to_dict(done), time.process_time() - started

    describe(*jobs[-1], kept=0)  # the models load
    fresh = {story.id: describe(story, members, 0) for story, members in jobs}
    kept_limit = settings.live.kept_sentences
    rows = []
    for story, members in jobs:
        describe(story, members[:-1], kept_limit)  # an earlier batch: the story before its last article
        before = kept_vectors.hits, kept_vectors.misses, kept_docs.hits, kept_docs.misses
        body, seconds = describe(story, members, kept_limit)
        rows.append({"articles": len(members), "none": fresh[story.id][1], "kept": seconds,
                     "same": body == fresh[story.id][0],
                     "vectors": (kept_vectors.hits - before[0], kept_vectors.misses - before[1]),
                     "docs": (kept_docs.hits - before[2], kept_docs.misses - before[3])})
    keep_outputs(0)
    print(f"{len(rows)} stories of {min(r['articles'] for r in rows)}-{max(r['articles'] for r in rows)} articles "
          f"(the biggest of the first {args.articles:,} replayed), default settings, CPU s of one process:\n")
    print("| described | CPU s all stories | CPU s per story p50 | vectors from kept / encoded | "
          "spaCy docs from kept / annotated | same story as none kept |")
    print("|---|---|---|---|---|---|")
    none_total, kept_total = sum(r["none"] for r in rows), sum(r["kept"] for r in rows)
    print(f"| none kept (kept_sentences = 0) | {none_total:.2f} | {statistics.median(r['none'] for r in rows):.3f} | "
          f"0 / all | 0 / all | - |")
    vectors = [sum(r["vectors"][i] for r in rows) for i in (0, 1)]
    docs = [sum(r["docs"][i] for r in rows) for i in (0, 1)]
    same = sum(r["same"] for r in rows)
    print(f"| kept ({kept_limit:,}), after the story without its last article | {kept_total:.2f} | "
          f"{statistics.median(r['kept'] for r in rows):.3f} | {vectors[0]:,} / {vectors[1]:,} | "
          f"{docs[0]:,} / {docs[1]:,} | {same} of {len(rows)} |")
    print(f"\nnone / kept: {none_total / kept_total:.2f}x CPU")
    if same != len(rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
