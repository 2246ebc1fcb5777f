"""The fitted relevance model as a data file: coefficients, vocabulary, calibration.

The file (``config/relevance-model.json`` by default, the ``relevance.model``
setting) is plain JSON, never a pickle: it can be read, diffed and reviewed,
and loading it runs no code. It holds

* ``coef`` — feature name -> coefficient of the logistic regression (features:
  monitor/relevance/features.py), ``intercept``;
* ``calibration`` — ``a``, ``b`` of the Platt map fitted on cross-validated
  training predictions: ``score = 1 / (1 + exp(−(a·z + b)))`` with
  ``z = intercept + Σ coef × value``;
* ``version`` — a hash of the above (what ``lexicon_version`` records per item),
  the lexicon and gazetteer versions it was fitted with, and ``training``: what
  it was fitted on and its cross-validated figures.

Scoring with it needs no scikit-learn: a dot product over a dict.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.exceptions import ConfigError

FORMAT = "monitor-relevance-model"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A calibrated linear decision over named features."""

    intercept: float
    coef: Mapping[str, float]
    calibration: tuple[float, float]
    lexicon_version: str = ""
    gazetteer_version: str = ""
    training: Mapping[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Hash of what decides a score: coefficients, intercept, calibration."""
        body = json.dumps(
            [round(self.intercept, 6), sorted(self.coef.items()), list(self.calibration)],
            separators=(",", ":"),
        )
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def z(self, values: Mapping[str, float]) -> float:
        coef = self.coef
        return self.intercept + sum(coef[k] * v for k, v in values.items() if k in coef)

    def probability(self, z: float) -> float:
        a, b = self.calibration
        t = max(min(a * z + b, 50.0), -50.0)
        return 1.0 / (1.0 + math.exp(-t))


def save_model(model: LinearModel, path: Path) -> LinearModel:
    """Write the model as sorted, stable JSON (the same model gives the same bytes);
    return it as written (coefficients rounded to 6 decimals, as a reader will load it)."""
    model = LinearModel(
        intercept=round(model.intercept, 6),
        coef={k: round(v, 6) for k, v in model.coef.items() if round(v, 6) != 0.0},
        calibration=(round(model.calibration[0], 6), round(model.calibration[1], 6)),
        lexicon_version=model.lexicon_version,
        gazetteer_version=model.gazetteer_version,
        training=model.training,
    )
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": model.version,
        "lexicon_version": model.lexicon_version,
        "gazetteer_version": model.gazetteer_version,
        "intercept": model.intercept,
        "calibration": {"a": model.calibration[0], "b": model.calibration[1]},
        "training": model.training,
        "coef": dict(sorted(model.coef.items())),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return model


def load_model(path: Path) -> LinearModel:
    """Read a model file; ConfigError with one line naming the file on any problem."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"relevance model not found: {path} (build it with `monitor train`)"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"relevance model {path} is not valid JSON: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read relevance model {path}: {exc.strerror}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ConfigError(f"{path} is not a relevance model file (no 'format': '{FORMAT}')")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: model format version {doc.get('format_version')!r} is not supported "
            f"(this monitor reads {FORMAT_VERSION}); rebuild it with `monitor train`"
        )
    try:
        coef = {str(k): float(v) for k, v in doc["coef"].items()}
        cal = doc["calibration"]
        model = LinearModel(
            intercept=float(doc["intercept"]),
            coef=coef,
            calibration=(float(cal["a"]), float(cal["b"])),
            lexicon_version=str(doc.get("lexicon_version", "")),
            gazetteer_version=str(doc.get("gazetteer_version", "")),
            training=dict(doc.get("training") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{path}: malformed relevance model ({exc!r})") from None
    return model
