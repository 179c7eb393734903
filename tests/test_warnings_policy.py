"""pyproject's filterwarnings: a deprecation triggered from storyline's own code fails the tests."""

from __future__ import annotations

import warnings

import pytest


@pytest.mark.parametrize("category", [DeprecationWarning, PendingDeprecationWarning, FutureWarning])
def test_a_deprecation_from_storyline_code_is_an_error(category: type[Warning]) -> None:
    with pytest.raises(category):
        warnings.warn_explicit("old API", category, "repository.py", 1, module="storyline.store.repository")


def test_a_deprecation_inside_a_library_is_not() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.warn_explicit("old API", DeprecationWarning, "x.py", 1, module="somelib.x")
    assert [str(w.message) for w in seen] == ["old API"]


def test_the_store_queries_use_no_deprecated_sqlalchemy_api(tmp_path) -> None:
    from storyline.models import Article
    from storyline.store import Store

    store = Store.open(str(tmp_path / "s.db"))
    try:
        store.save_articles([Article(id="a", text="The harbour reopened on Monday after the storm.")])
        assert store.article_homes() == {"a": None}
    finally:
        store.close()
