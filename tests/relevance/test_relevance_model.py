"""The model file, calibration arithmetic and the fit: readable data, deterministic, checked."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from relevance_support import EVAL_DIR, LEXICON

from monitor.exceptions import ConfigError
from monitor.relevance import metrics
from monitor.relevance.labelled import LabelledItem
from monitor.relevance.model import LinearModel, load_model, save_model
from monitor.relevance.scorer import load_extractor
from monitor.relevance.training import TrainParams, fit_model

MODEL = LEXICON.parent / "relevance-model.json"
GAZETTEER = LEXICON.parent / "gazetteer.toml"


def project_texts() -> list[LabelledItem]:
    """The texts written for the project (tests/relevance/eval): small, in the repository."""
    items = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            items.append(
                LabelledItem(
                    row["id"],
                    row.get("title", ""),
                    row["text"],
                    row["lang"],
                    path.stem,
                    int(row["relevant"]),
                )
            )
    return items


def test_shipped_model_is_json_with_its_provenance() -> None:
    doc = json.loads(MODEL.read_text(encoding="utf-8"))
    assert doc["format"] == "monitor-relevance-model" and doc["format_version"] == 1
    model = load_model(MODEL)
    assert model.version == doc["version"]  # the hash of what decides a score
    assert doc["training"]["items"] > 500 and "news_dev" not in doc["coef"]
    assert any(k.startswith("c:") for k in doc["coef"]) and any(
        k.startswith("w:") for k in doc["coef"]
    )
    assert model.coef["anchor:none"] < 0 < model.coef["anchor:conflict"]
    assert doc["training"]["cross_validated"]["ece"] <= 0.05


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    m = LinearModel(0.25, {"w:ttp": 1.5, "anchor:none": -2.0}, (1.2, -0.3), "lex", "gaz")
    save_model(m, tmp_path / "m.json")
    back = load_model(tmp_path / "m.json")
    assert back.version == m.version and back.coef == m.coef
    z = back.z({"w:ttp": 1.0, "unknown": 5.0})
    assert z == pytest.approx(1.75)
    assert back.probability(z) == pytest.approx(1 / (1 + math.exp(-(1.2 * 1.75 - 0.3))))
    save_model(m, tmp_path / "again.json")
    assert (tmp_path / "m.json").read_bytes() == (tmp_path / "again.json").read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": "pickle"}', "is not a relevance model file"),
        ('{"format": "monitor-relevance-model", "format_version": 9}', "format version 9"),
        ('{"format": "monitor-relevance-model", "format_version": 1}', "malformed"),
    ],
)
def test_bad_model_files_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_model(path)
    assert message in str(err.value) and str(path) in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="monitor train"):
        load_model(tmp_path / "missing.json")


def test_metrics_arithmetic() -> None:
    y = [1, 1, 0, 0]
    assert metrics.roc_auc(y, [0.9, 0.8, 0.3, 0.1]) == 1.0
    assert metrics.roc_auc(y, [0.1, 0.3, 0.8, 0.9]) == 0.0
    assert metrics.roc_auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert metrics.brier(y, [1.0, 1.0, 0.0, 0.0]) == 0.0
    # Scores 0.75 on items of which 3 in 4 are relevant: perfectly calibrated.
    assert metrics.ece([1, 1, 1, 0], [0.75] * 4) == pytest.approx(0.0)
    assert metrics.ece([0, 0, 0, 0], [0.75] * 4) == pytest.approx(0.75)
    s = metrics.scores(y, [0.9, 0.2, 0.7, 0.1], [True, False, True, False])
    assert (s.tp, s.fp, s.fn, s.precision, s.recall) == (1, 1, 1, 0.5, 0.5)


def test_fit_is_deterministic_and_calibrated() -> None:
    items = project_texts()
    extractor = load_extractor(LEXICON, GAZETTEER)
    params = TrainParams(folds=3)
    a, p_cv = fit_model(items, extractor, params)
    b, _ = fit_model(items, extractor, params)
    assert a.version == b.version and a.coef == b.coef
    y = [i.label or 0 for i in items]
    # Out-of-fold calibrated probabilities rank and are calibrated on these texts too.
    assert metrics.roc_auc(y, p_cv) is not None and metrics.roc_auc(y, p_cv) > 0.9  # type: ignore[operator]
    assert metrics.ece(y, p_cv) < 0.1
    with pytest.raises(ValueError, match="at least 3 relevant"):
        fit_model([i for i in items if i.label == 1], extractor, params)
