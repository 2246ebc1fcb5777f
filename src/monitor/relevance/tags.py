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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.exceptions import ConfigError
from monitor.relevance.features import Extracted

CUE_KINDS = ("group", "place", "class", "lex", "facet")
ZONE_ORDER = ["title", "lead", "body"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    rule: str
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    where: Literal["title", "head"] = "head"
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
    all_of: tuple[str, ...]
    zones: tuple[str, ...]
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
        if not r.any_of and not r.all_of:
            raise ConfigError(f"{path}: tag '{r.name}' has neither any_of nor all_of")
        for cue in (c for cues in r.any_of + r.all_of + r.requires for c in cues.split("|")):
            if cue.partition(":")[0] not in CUE_KINDS:
                raise ConfigError(f"{path}: tag '{r.name}': unknown cue '{cue}'")
    return tuple(
        TagRule(
            r.name,
            r.rule,
            r.any_of,
            r.all_of,
            ("title",) if r.where == "title" else ("title", "lead"),
            r.min_body,
            r.requires,
        )
        for r in parsed.tag
    )


def tag_names(rules: tuple[TagRule, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.name for r in rules))


def _zones(cue: str, ex: Extracted) -> dict[str, int]:
    """Occurrences of a cue per zone (title, lead, body); ``a|b`` is either cue."""
    if "|" in cue:
        merged_alt: dict[str, int] = {}
        for part in cue.split("|"):
            for z, n in _zones(part, ex).items():
                merged_alt[z] = merged_alt.get(z, 0) + n
        return merged_alt
    kind, _, name = cue.partition(":")
    if kind == "lex":
        return dict(ex.lexicon_hits.get(name, {}))
    if kind == "facet":
        merged: dict[str, int] = {}
        for group, per_zone in ex.lexicon_hits.items():
            if ex.group_facet.get(group) == name:
                for z, n in per_zone.items():
                    merged[z] = merged.get(z, 0) + n
        return merged
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
        if r.all_of:
            found = [[k for k in r.zones if _zones(c, ex).get(k)] for c in r.all_of]
            if all(found):
                where = "+".join(sorted({k for f in found for k in f}, key=ZONE_ORDER.index))
                hits[r.name] = TagHit(r.name, " + ".join(r.all_of), where, r.rule)
            continue
        for cue in r.any_of:
            z = _zones(cue, ex)
            head = [k for k in r.zones if z.get(k)]
            if head or z.get("body", 0) >= r.min_body:
                hits[r.name] = TagHit(r.name, cue, "+".join(head) or "body", r.rule)
                break
    return sorted(hits.values(), key=lambda h: h.tag)
