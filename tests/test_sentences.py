from storyline.models import Sentence
from storyline.text.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_offsets_point_into_the_text() -> None:
    text = "  First one here.  Second one?\n\nThird after a break!  "
    for sentence in split_sentences(text, "a"):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.article_id == "a"
    assert texts(text) == ["First one here.", "Second one?", "Third after a break!"]


def test_abbreviations_initialisms_and_decimals_do_not_split() -> None:
    text = (
        "The U.S. Army said Mr. Smith arrived in Sept. with 3.5 tons of aid. "
        "Gen. Lee spoke at 3 p.m. on Friday. Prices rose 2.4% in the U.K. last month."
    )
    assert texts(text) == [
        "The U.S. Army said Mr. Smith arrived in Sept. with 3.5 tons of aid.",
        "Gen. Lee spoke at 3 p.m. on Friday.",
        "Prices rose 2.4% in the U.K. last month.",
    ]


def test_quotes_end_with_the_sentence() -> None:
    text = '"We are ready," he said. "Are you?" she asked. The talks began.'
    assert texts(text) == ['"We are ready," he said.', '"Are you?" she asked.', "The talks began."]


def test_initialism_at_sentence_end_splits_before_a_sentence_starter() -> None:
    assert texts("He moved to the U.S. The move took a year.") == ["He moved to the U.S.", "The move took a year."]


def test_paragraph_breaks_end_sentences_and_empty_text_gives_nothing() -> None:
    assert texts("A headline without a stop\n\nThe body starts.") == ["A headline without a stop", "The body starts."]
    assert split_sentences("") == []
    assert split_sentences("   \n\n ") == []


def test_ensure_sentences_splits_only_articles_without_sentences() -> None:
    from storyline.models import Article
    from storyline.text.sentences import ensure_sentences

    fresh = Article(id="a", text="The river rose. Roads closed at noon.")
    kept = [Sentence(article_id="b", index=0, start=0, end=9, text="One line.")]
    split = Article(id="b", text="One line. Another line.", sentences=list(kept))
    ensure_sentences([fresh, split])
    assert [s.text for s in fresh.sentences] == ["The river rose.", "Roads closed at noon."]
    assert all(s.article_id == "a" for s in fresh.sentences)
    assert split.sentences == kept


def test_other_scripts_sentence_marks_and_quotes_end_sentences() -> None:
    # issue 21: Hindi ends a sentence with a danda, Arabic asks with its own question mark, German closes „…“.
    from storyline.text.sentences import split_spans

    for text, expected in [
        ("यह पहला वाक्य है। यह दूसरा है।", ["यह पहला वाक्य है।", "यह दूसरा है।"]),
        ("هل هذا صحيح؟ نعم هو كذلك.", ["هل هذا صحيح؟", "نعم هو كذلك."]),
        ("Er sagte: „Nein.“ Dann ging er.", ["Er sagte: „Nein.“", "Dann ging er."]),
    ]:
        assert [text[s:e] for s, e in split_spans(text)] == expected
