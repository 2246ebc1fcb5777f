"""The relevance lexicon: read and validate ``config/relevance.toml``.

The lexicon is where analysts tune the relevance stage without touching code
(docs/relevance.md explains every table). Any mistake in it — an unknown key,
a weight that is not a positive number, a tag outside the taxonomy, a facet
the model does not know, the same term listed in two groups — is a
``ConfigError`` whose one line names the file and the key, because a typo that
silently drops a term is the worst kind of relevance bug: nobody sees the
items it stops catching.

``lexicon_version`` is a hash of the file's bytes, recorded with every stored
item so ``monitor rescore`` can tell which items a lexicon change may affect.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.exceptions import ConfigError
from monitor.relevance.normalize import tokenize

# The tag taxonomy is part of the product contract (docs/relevance.md): the
# lexicon may describe and tune these tags, not invent new ones.
TAXONOMY = (
    "ttp",
    "afghan-taliban",
    "iskp",
    "border-clash",
    "cross-border-strike",
    "ceasefire-talks",
    "militant-attack",
    "security-operation",
    "border-trade",
    "refugees-deportation",
    "diplomacy",
)
SEED_FEATURE = "seed"
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Scoring(_Strict):
    title_weight: float = Field(default=2.0, ge=0)
    tag_min: float = Field(default=1.0, gt=0)


class _Morphology(_Strict):
    latin_suffixes: tuple[str, ...] = ("s",)
    arabic_prefixes: tuple[str, ...] = ()
    arabic_suffixes: tuple[str, ...] = ()
    min_affix_len: int = Field(default=3, ge=1)


class _Tag(_Strict):
    description: str
    min: float | None = Field(default=None, gt=0)
    requires: tuple[str, ...] = ()


class _Group(_Strict):
    name: str
    facet: str
    weight: float = Field(gt=0, le=10)
    tag: str | None = None
    affixes: bool = True
    terms: tuple[str, ...] = Field(min_length=1)


class _File(_Strict):
    scoring: _Scoring = _Scoring()
    morphology: _Morphology = _Morphology()
    facets: dict[str, str] = Field(min_length=1)
    model: dict[str, float] = Field(min_length=1)
    tags: dict[str, _Tag] = {}
    group: tuple[_Group, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class TermGroup:
    """Spellings of one concept that share a facet, a weight and (optionally) a tag."""

    name: str
    facet: str
    weight: float
    tag: str | None
    affixes: bool
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagRule:
    """When a taxonomy tag is given: enough weighted evidence, and the required facets present."""

    name: str
    description: str
    min_mass: float
    requires: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A validated lexicon: everything the matcher and the scorer need, nothing else."""

    path: Path
    version: str
    facets: tuple[str, ...]
    model: tuple[tuple[str, float], ...]
    bias: float
    title_weight: float
    tags: tuple[TagRule, ...]
    groups: tuple[TermGroup, ...]
    latin_suffixes: tuple[str, ...]
    arabic_prefixes: tuple[str, ...]
    arabic_suffixes: tuple[str, ...]
    min_affix_len: int


def lexicon_version(path: Path) -> str:
    """A short hash of the lexicon file's bytes: which lexicon scored a stored item."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read relevance lexicon {path}: {exc.strerror}") from None
    return hashlib.sha256(data).hexdigest()[:16]


def load_lexicon(path: Path) -> Lexicon:
    """Read and validate the lexicon; raise ConfigError naming the file and key on any problem."""
    path = Path(path)
    raw = _read_toml(path)
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc, raw)}") from None
    return _build(path, parsed)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"relevance lexicon not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"relevance lexicon {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read relevance lexicon {path}: {exc.strerror}") from None


def _first_error(exc: ValidationError, raw: dict[str, Any]) -> str:
    # A typo ("wieght") also makes the real key missing: name the typo, it is the cause.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = list(err["loc"])
    key = _describe_loc(loc, raw)
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    if err["type"] == "missing":
        return f"missing key '{key}'"
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
    return f"invalid value for '{key}': {err['msg']}{shown}"


def _describe_loc(loc: list[int | str], raw: dict[str, Any]) -> str:
    """``group[3].weight`` becomes ``group 'ttp-names'.weight``: people know groups by name."""
    if len(loc) >= 2 and loc[0] == "group" and isinstance(loc[1], int):
        groups = raw.get("group")
        name = None
        if isinstance(groups, list) and loc[1] < len(groups) and isinstance(groups[loc[1]], dict):
            name = groups[loc[1]].get("name")
        head = f"group '{name}'" if isinstance(name, str) else f"group[{loc[1]}]"
        return ".".join([head, *(str(p) for p in loc[2:])])
    return ".".join(str(p) for p in loc)


def _build(path: Path, f: _File) -> Lexicon:
    facets = tuple(f.facets)
    for name in facets:
        if not _NAME.match(name) or name == SEED_FEATURE:
            raise ConfigError(f"{path}: invalid facet name '{name}' in [facets]")
    model = _check_model(path, f.model, facets)
    tags = _check_tags(path, f, facets)
    groups = _check_groups(path, f.group, facets)
    return Lexicon(
        path=path,
        version=lexicon_version(path),
        facets=facets,
        model=tuple((k, v) for k, v in model.items() if k != "bias"),
        bias=model.get("bias", 0.0),
        title_weight=f.scoring.title_weight,
        tags=tags,
        groups=groups,
        latin_suffixes=f.morphology.latin_suffixes,
        arabic_prefixes=f.morphology.arabic_prefixes,
        arabic_suffixes=f.morphology.arabic_suffixes,
        min_affix_len=f.morphology.min_affix_len,
    )


def _check_model(path: Path, model: dict[str, float], facets: tuple[str, ...]) -> dict[str, float]:
    """Model keys are ``bias``, ``seed``, a facet, or ``facetA*facetB`` (their co-occurrence)."""
    for key in model:
        if key in ("bias", SEED_FEATURE):
            continue
        parts = key.split("*")
        unknown = [p for p in parts if p not in facets]
        if len(parts) > 2 or unknown:
            what = unknown[0] if unknown else key
            raise ConfigError(
                f"{path}: unknown model feature 'model.{key}': '{what}' is not a facet "
                f"(facets: {', '.join(facets)})"
            )
    return model


def _check_tags(path: Path, f: _File, facets: tuple[str, ...]) -> tuple[TagRule, ...]:
    rules = []
    for name, tag in f.tags.items():
        if name not in TAXONOMY:
            raise ConfigError(
                f"{path}: unknown tag 'tags.{name}' (taxonomy: {', '.join(TAXONOMY)})"
            )
        for facet in tag.requires:
            if facet not in facets:
                raise ConfigError(f"{path}: 'tags.{name}.requires' names unknown facet '{facet}'")
        min_mass = tag.min if tag.min is not None else f.scoring.tag_min
        rules.append(TagRule(name, tag.description, min_mass, tag.requires))
    described = {r.name for r in rules}
    rules += [TagRule(t, "", f.scoring.tag_min, ()) for t in TAXONOMY if t not in described]
    return tuple(rules)


def _check_groups(
    path: Path, groups: tuple[_Group, ...], facets: tuple[str, ...]
) -> tuple[TermGroup, ...]:
    seen_names: set[str] = set()
    owner: dict[tuple[str, ...], str] = {}
    out = []
    for g in groups:
        where = f"group '{g.name}'"
        if g.name in seen_names:
            raise ConfigError(f"{path}: {where} is defined twice")
        seen_names.add(g.name)
        if g.facet not in facets:
            raise ConfigError(f"{path}: {where} has unknown facet '{g.facet}'")
        if g.tag is not None and g.tag not in TAXONOMY:
            raise ConfigError(
                f"{path}: {where} has unknown tag '{g.tag}' (taxonomy: {', '.join(TAXONOMY)})"
            )
        for term in g.terms:
            key = tuple(tokenize(term))
            if not key:
                raise ConfigError(f"{path}: {where} has a term with no letters: {term!r}")
            other = owner.setdefault(key, g.name)
            if other != g.name:
                raise ConfigError(
                    f"{path}: term {term!r} of {where} is already listed in group '{other}'"
                )
        out.append(TermGroup(g.name, g.facet, g.weight, g.tag, g.affixes, g.terms))
    return tuple(out)
