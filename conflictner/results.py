"""Result objects of ``parse``: frozen, typed, JSON-serialisable.

Field names follow ``incident-schema.md``. Every span (``Entity``, the
evidence of an ``Incident``) carries ``start``/``end`` offsets into the
original text with ``text[start:end] == span.text``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Entity",
    "Quantity",
    "Casualties",
    "Place",
    "PlaceMention",
    "TimeExpression",
    "Incident",
    "Report",
    "INCIDENT_TYPES",
    "QUALIFIERS",
]

QUALIFIERS = ("exact", "at_least", "at_most", "approx", "range", "unspecified")
Qualifier = Literal["exact", "at_least", "at_most", "approx", "range", "unspecified"]

#: Incident types and their ACLED (event type, sub-event type).
INCIDENT_TYPES: dict[str, tuple[str, str]] = {
    "armed_clash": ("Battles", "Armed clash"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "explosion": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "chemical_attack": ("Explosions/Remote violence", "Chemical weapon"),
    "territory_change": ("Battles", "Non-state actor overtakes territory"),
    "attack": ("Violence against civilians", "Attack"),
    "arrest_abduction": ("Violence against civilians", "Abduction/forced disappearance"),
    "other": ("", ""),
}


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


class _Serializable:
    def to_dict(self) -> dict[str, Any]:
        """A plain ``dict`` of built-in types (JSON-ready)."""
        return _plain(self)

    def to_json(self, **kwargs: Any) -> str:
        """JSON text; Arabic is kept readable (``ensure_ascii=False``)."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)


@dataclass(frozen=True, slots=True)
class Entity(_Serializable):
    """A labelled span of the report.

    Attributes:
        label: One of the ten labels of the annotation scheme.
        text: ``report_text[start:end]``.
        start: Offset of the first character.
        end: Offset one past the last character.
        score: Confidence in 0..1 (mean probability of the span's tags; 1.0 for gold spans).
    """

    label: str
    text: str
    start: int
    end: int
    score: float = 1.0

    def __repr__(self) -> str:
        return f"<{self.label} {self.text!r} {self.start}:{self.end} {self.score:.2f}>"


@dataclass(frozen=True, slots=True)
class Quantity(_Serializable):
    """A count read from text.

    Attributes:
        value: The lowest number the text supports (``None`` when unspecified).
        upper: Upper bound for ranges and ``at_most``; otherwise ``None``.
        qualifier: ``exact``, ``at_least``, ``at_most``, ``approx``, ``range`` or ``unspecified``.
        text: The words the number was read from.
    """

    value: int | float | None
    upper: int | float | None = None
    qualifier: Qualifier = "exact"
    text: str = ""

    def __repr__(self) -> str:
        if self.value is None:
            return "Quantity(unspecified)"
        if self.qualifier == "range":
            return f"Quantity({self.value}-{self.upper})"
        sign = {"exact": "", "at_least": "≥", "at_most": "≤", "approx": "~"}.get(self.qualifier, "")
        return f"Quantity({sign}{self.value})"


@dataclass(frozen=True, slots=True)
class Casualties(_Serializable):
    """People killed or injured in an incident.

    Attributes:
        total: How many, as a Quantity.
        civilians: True when the text says they were civilians, False when it
            says they were fighters, None when it does not say.
        women: Women among them, from a breakdown (``بينهم امرأة``), else None.
        children: Children among them, else None.
        men: Men among them, else None.
        entity: The KILLED/INJURED entity (or entities' first) the figures come from.
    """

    total: Quantity
    civilians: bool | None = None
    women: int | None = None
    children: int | None = None
    men: int | None = None
    entity: Entity | None = None

    def __repr__(self) -> str:
        parts = [repr(self.total)]
        for k in ("women", "children", "men"):
            v = getattr(self, k)
            if v is not None:
                parts.append(f"{k}={v}")
        if self.civilians is not None:
            parts.append(f"civilians={self.civilians}")
        return f"Casualties({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class Place(_Serializable):
    """A gazetteer entry.

    Attributes:
        id: Stable identifier (``geonames:…``, an OCHA p-code, or ``sa:…``).
        name_ar: Canonical Arabic name.
        name_en: Canonical English name.
        kind: ``country``, ``governorate``, ``district``, ``subdistrict``, ``city``,
            ``town``, ``village``, ``neighbourhood`` or ``landmark``.
        admin1: The governorate/province (English name).
        country: ISO 3166-1 alpha-2 code.
        latitude: Degrees north.
        longitude: Degrees east.
    """

    id: str
    name_ar: str
    name_en: str
    kind: str
    admin1: str | None
    country: str
    latitude: float | None
    longitude: float | None

    @property
    def display_name(self) -> str:
        """The English name, or the Arabic one where the gazetteer has none (many village rows).

        Example:
            >>> Place("sycom:SY09-0135", "رصافة", "", "village", "Deir ez-Zor", "SY", None, None).display_name
            'رصافة'
        """
        return self.name_en or self.name_ar


@dataclass(frozen=True, slots=True)
class PlaceMention(_Serializable):
    """A LOC or FAC entity with the gazetteer entry it resolved to (or None)."""

    entity: Entity
    resolved: Place | None = None

    def __repr__(self) -> str:
        where = f" → {self.resolved.display_name} ({self.resolved.kind})" if self.resolved else ""
        return f"<{self.entity.label} {self.entity.text!r}{where}>"


@dataclass(frozen=True, slots=True)
class TimeExpression(_Serializable):
    """A TIME entity with its normalised value.

    Attributes:
        entity: The TIME entity.
        date: ISO date (``YYYY-MM-DD``, or ``YYYY-MM``/``YYYY`` when only those are
            known), None when the text does not allow it.
        time_of_day: ``HH:MM`` or a part of day (``dawn``, ``morning``, ``evening``, ``night``), else None.
        relative: True when the date came from a relative word resolved against the report date.
    """

    entity: Entity
    date: str | None = None
    time_of_day: str | None = None
    relative: bool = False


@dataclass(frozen=True, slots=True)
class Incident(_Serializable):
    """One incident read from a report (see ``incident-schema.md``)."""

    type: str
    trigger: Entity | None
    actors: tuple[Entity, ...] = ()
    places: tuple[PlaceMention, ...] = ()
    weapons: tuple[Entity, ...] = ()
    count: Quantity | None = None
    killed: Casualties | None = None
    injured: Casualties | None = None
    time: TimeExpression | None = None
    start: int = 0
    end: int = 0
    evidence: str = ""

    def __repr__(self) -> str:
        bits = [self.type]
        if self.trigger:
            bits.append(repr(self.trigger.text))
        if self.actors:
            bits.append("by " + ", ".join(a.text for a in self.actors))
        if self.places:
            bits.append("at " + ", ".join(p.entity.text for p in self.places))
        if self.count:
            bits.append(f"count={self.count!r}")
        if self.killed:
            bits.append(f"killed={self.killed!r}")
        if self.injured:
            bits.append(f"injured={self.injured!r}")
        return f"Incident({' '.join(bits)})"


@dataclass(frozen=True, slots=True)
class Report(_Serializable):
    """What ``parse`` returns for one text.

    Attributes:
        text: The original text, unchanged.
        entities: Every entity, in order of position.
        incidents: Incidents assembled from the entities, in order of position.
        report_date: The date relative expressions were resolved against, if any.
    """

    text: str
    entities: tuple[Entity, ...] = ()
    incidents: tuple[Incident, ...] = ()
    report_date: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        head = self.text[:40].replace("\n", " ")
        return f"Report({head!r}…, {len(self.entities)} entities, {len(self.incidents)} incidents)"
