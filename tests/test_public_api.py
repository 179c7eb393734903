import inspect

import storyline


def test_all_names_exist_and_are_curated() -> None:
    for name in storyline.__all__:
        assert hasattr(storyline, name), name
    public = {n for n in dir(storyline) if not n.startswith("_")}
    not_modules = {n for n in public if not inspect.ismodule(getattr(storyline, n))}
    assert not_modules == set(storyline.__all__) - {"__version__"}


def test_digest_api_returns_typed_stories() -> None:
    articles = [
        storyline.Article(id="a", text="A dam broke in Lowtown on Monday, flooding forty homes. Nobody was hurt."),
        storyline.Article(id="b", text="Forty homes in Lowtown flooded on Monday after a dam broke. No one was hurt."),
    ]
    result = storyline.digest(articles, settings=storyline.Settings(progress=False))
    assert isinstance(result, storyline.Digest)
    assert sum(len(s.article_ids) for s in result.stories) == 2
    story = result.stories[0]
    assert isinstance(story, storyline.Story)
    assert story.summary and all(isinstance(s, storyline.SummarySentence) for s in story.summary)
