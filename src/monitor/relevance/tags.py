"""Topic tags from ``config/tags.toml``: few tags, each a rule a reader can check.

A tag is only given to an item the model found relevant. Each rule names cues
(gazetteer entries or classes, lexicon groups) that must appear in the title
or lead, or ``min_body`` times further down; ``requires`` adds a cue that must
appear anywhere. The tag's evidence is the cue that fired and where.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.exceptions import ConfigError
from monitor.relevance.features import Extracted

HEAD = frozenset({"title", "lead"})


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    rule: str
    any_of: tuple[str, ...] = Field(min_length=1)
    min_body: int = Field(default=99, ge=1)
    requires: tuple[str, ...] = ()


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tag: tuple[_Rule, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class TagRule:
    name: str
    rule: str
    any_of: tuple[str, ...]
    min_body: int
    requires: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagHit:
    """A tag given, the cue that gave it, and where that cue was found."""

    tag: str
    cue: str
    where: str
    rule: str


def load_tag_rules(path: Path) -> tuple[TagRule, ...]:
    path = Path(path)
    try:
        parsed = _File.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ConfigError(f"tag rules not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"tag rules {path} are not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: invalid '{where}': {err['msg']}") from None
    for r in parsed.tag:
        for cue in r.any_of + r.requires:
            if cue.partition(":")[0] not in ("group", "place", "class", "lex"):
                raise ConfigError(f"{path}: tag '{r.name}': unknown cue '{cue}'")
    return tuple(TagRule(r.name, r.rule, r.any_of, r.min_body, r.requires) for r in parsed.tag)


def tag_names(rules: tuple[TagRule, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.name for r in rules))


def _zones(cue: str, ex: Extracted) -> dict[str, int]:
    """Occurrences of a cue per zone (title, lead, body)."""
    kind, _, name = cue.partition(":")
    if kind == "lex":
        return dict(ex.lexicon_hits.get(name, {}))
    out: dict[str, int] = {}
    for ent, zones in ex.entity_zones.items():
        if (kind == "class" and ent.cls == name) or (kind == ent.kind and ent.name == name):
            for z in zones:
                out[z] = out.get(z, 0) + 1
            if "body" in zones:
                out["body"] = max(out["body"], ex.entities[ent])
    return out


def assign_tags(rules: tuple[TagRule, ...], ex: Extracted) -> list[TagHit]:
    """The tags whose rules hold, one hit per tag (the first rule and cue that fired)."""
    hits: dict[str, TagHit] = {}
    for r in rules:
        if r.name in hits:
            continue
        if r.requires and not any(_zones(c, ex) for c in r.requires):
            continue
        for cue in r.any_of:
            z = _zones(cue, ex)
            head = [k for k in ("title", "lead") if z.get(k)]
            if head or z.get("body", 0) >= r.min_body:
                hits[r.name] = TagHit(r.name, cue, "+".join(head) or "body", r.rule)
                break
    return sorted(hits.values(), key=lambda h: h.tag)
