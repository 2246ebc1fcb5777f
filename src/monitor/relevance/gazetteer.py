"""The gazetteer (``config/gazetteer.toml``): the conflict's actors and places, canonically named.

Two uses. Every item's ``entities`` (groups and places, canonical names) come
from it, so the workbench can filter by district and group; and the relevance
model's *anchor* features are the classes of what matched (an actor of the
conflict, a KP or ex-FATA place, a crossing, the border, versus look-alikes
such as Baloch separatists or Kashmir groups). Spellings in the five scripts are
matched by the lexicon's own matcher (same normalisation, same affixes), so a
name is found in Urdu, Pashto, Dari or Arabic text as it is in English.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.exceptions import ConfigError
from monitor.relevance.lexicon import Lexicon, TermGroup
from monitor.relevance.matcher import TermMatcher, TokenText

Kind = Literal["group", "place"]
GROUP_CLASSES = ("conflict", "afghan", "other")
PLACE_CLASSES = ("kp", "fata", "balochistan", "afghan-border", "crossing", "border")
# What anchors a text in this conflict on its own (docs/relevance.md, "The anchor").
CONFLICT_ANCHORS = frozenset(
    {"group:conflict", "place:kp", "place:fata", "place:crossing", "place:border"}
)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    class_: str = Field(alias="class")
    affixes: bool = True
    terms: tuple[str, ...] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    group: tuple[_Entry, ...] = ()
    place: tuple[_Entry, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """One canonical actor or place; ``cls`` is its gazetteer class."""

    kind: Kind
    name: str
    cls: str

    @property
    def anchor(self) -> str:
        """The anchor feature this entity feeds: ``group:conflict``, ``place:fata``…"""
        return f"{self.kind}:{self.cls}"


class Gazetteer:
    """Compiled gazetteer: ``find(tokens)`` gives the entities named and how often."""

    def __init__(self, entities: list[Entity], matcher: TermMatcher, version: str) -> None:
        self.entities = tuple(entities)
        self.version = version
        self._matcher = matcher
        self._entity_of = {i: entities[int(t.group.name)] for i, t in enumerate(matcher.terms)}

    def find(
        self, tokens: list[str] | TokenText, counts: Counter[str] | None = None
    ) -> dict[Entity, int]:
        """Entities named in a token list, with their occurrence counts
        (``counts`` is ``Counter(tokens)`` when the caller has it)."""
        out: dict[Entity, int] = {}
        for idx, n in self._matcher.count(tokens, counts).items():
            ent = self._entity_of[idx]
            out[ent] = out.get(ent, 0) + n
        return out


def load_gazetteer(path: Path, lexicon: Lexicon) -> Gazetteer:
    """Read and validate the gazetteer; matching uses the lexicon's morphology."""
    path = Path(path)
    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
        parsed = _File.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"gazetteer not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"gazetteer {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: invalid '{where}': {err['msg']}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read gazetteer {path}: {exc.strerror}") from None
    entities: list[Entity] = []
    groups: list[TermGroup] = []
    seen: set[tuple[str, str]] = set()
    for kind, entries, classes in (
        ("group", parsed.group, GROUP_CLASSES),
        ("place", parsed.place, PLACE_CLASSES),
    ):
        for e in entries:
            if e.class_ not in classes:
                raise ConfigError(
                    f"{path}: {kind} '{e.name}' has unknown class '{e.class_}' "
                    f"(one of {', '.join(classes)})"
                )
            if (kind, e.name) in seen:
                raise ConfigError(f"{path}: {kind} '{e.name}' is defined twice")
            seen.add((kind, e.name))
            groups.append(TermGroup(str(len(entities)), kind, 1.0, None, e.affixes, e.terms))
            entities.append(Entity(kind, e.name, e.class_))  # type: ignore[arg-type]
    as_lexicon = Lexicon(
        path=path,
        version="",
        facets=("group", "place"),
        model=(),
        bias=0.0,
        title_weight=1.0,
        tags=(),
        groups=tuple(groups),
        latin_suffixes=lexicon.latin_suffixes,
        arabic_prefixes=lexicon.arabic_prefixes,
        arabic_suffixes=lexicon.arabic_suffixes,
        min_affix_len=lexicon.min_affix_len,
    )
    version = hashlib.sha256(data).hexdigest()[:16]
    return Gazetteer(entities, TermMatcher(as_lexicon), version)
