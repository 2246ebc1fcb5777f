"""The scorer's outputs do not move when its code is made faster (golden.py wrote them).

Scores must agree to 1e-9; tags, evidence (term, zone, facet, contribution),
entities, the closest seed and the extra fields must be equal. A deliberate
change of the model, lexicon, gazetteer or tag rules rewrites the file with
``.venv/bin/python tests/relevance/golden.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from golden import GOLDEN, digest, eval_texts, news_dev_train, record

from monitor.relevance import RelevanceScorer


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return doc


def test_golden_file_is_for_the_shipped_model(
    scorer: RelevanceScorer, golden: dict[str, Any]
) -> None:
    assert golden["model_version"] == scorer.version


def test_project_texts_score_as_recorded(scorer: RelevanceScorer, golden: dict[str, Any]) -> None:
    texts = eval_texts()
    assert len(texts) == len(golden["eval"]) >= 278
    for item_id, title, text, lang in texts:
        got = record(scorer.score(title, text, lang))
        want = golden["eval"][item_id]
        assert got["score"] == pytest.approx(want["score"], abs=1e-9), item_id
        assert {**got, "score": 0} == {**want, "score": 0}, item_id


@pytest.mark.corpus
def test_news_dev_train_scores_as_recorded(
    scorer: RelevanceScorer, golden: dict[str, Any], corpus_dir: Path
) -> None:
    items = news_dev_train(corpus_dir)
    assert len(items) == len(golden["news_dev_train"]) > 500
    for item_id, title, text, lang in items:
        got = record(scorer.score(title, text, lang))
        score, want_digest = golden["news_dev_train"][item_id]
        assert got["score"] == pytest.approx(score, abs=1e-9), item_id
        assert digest(got) == want_digest, item_id
