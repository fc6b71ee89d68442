"""Exports of parsed reports: an ACLED-style table (CSV), GeoJSON, and a text table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from .results import INCIDENT_TYPES, Incident, Report

__all__ = ["ACLED_COLUMNS", "acled_rows", "to_acled_csv", "to_geojson", "incident_table"]

ACLED_COLUMNS = [
    "event_id",
    "event_date",
    "event_type",
    "sub_event_type",
    "incident_type",
    "actor1",
    "actor2",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "fatalities",
    "injuries",
    "notes",
]


def _location(inc: Incident) -> tuple[str, str, float | None, float | None]:
    """The first resolved place wins; else the first mentioned place, unresolved."""
    for pm in inc.places:
        if pm.resolved is not None:
            r = pm.resolved
            return r.admin1 or "", r.display_name, r.latitude, r.longitude
    if inc.places:
        return "", inc.places[0].entity.text, None, None
    return "", "", None, None


def acled_rows(reports: Sequence[Report], ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One row per incident, with ACLED's columns (``fatalities`` is the lowest supported count)."""
    rows = []
    for r_i, rep in enumerate(reports):
        rid = ids[r_i] if ids else str(r_i + 1)
        for k, inc in enumerate(rep.incidents):
            ev, sub = INCIDENT_TYPES.get(inc.type, ("", ""))
            admin1, loc, lat, lon = _location(inc)
            fat = inc.killed.total.value if inc.killed and inc.killed.total.value is not None else 0
            inj = inc.injured.total.value if inc.injured and inc.injured.total.value is not None else ""
            rows.append({
                "event_id": f"{rid}-{k + 1}",
                "event_date": inc.time.date if inc.time and inc.time.date else (rep.report_date or ""),
                "event_type": ev,
                "sub_event_type": sub,
                "incident_type": inc.type,
                "actor1": inc.actors[0].text if inc.actors else "",
                "actor2": inc.actors[1].text if len(inc.actors) > 1 else "",
                "admin1": admin1,
                "location": loc,
                "latitude": "" if lat is None else lat,
                "longitude": "" if lon is None else lon,
                "fatalities": fat,
                "injuries": inj,
                "notes": " ".join(inc.evidence.split()),
            })
    return rows


def to_acled_csv(reports: Sequence[Report], ids: Sequence[str] | None = None) -> str:
    """CSV text with a header row of :data:`ACLED_COLUMNS`."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(acled_rows(reports, ids))
    return buf.getvalue()


def to_geojson(reports: Sequence[Report], ids: Sequence[str] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one Point per incident place that resolved to coordinates."""
    feats = []
    for r_i, rep in enumerate(reports):
        rid = ids[r_i] if ids else str(r_i + 1)
        for k, inc in enumerate(rep.incidents):
            for pm in inc.places:
                p = pm.resolved
                if p is None or p.latitude is None or p.longitude is None:
                    continue
                feats.append({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
                    "properties": {
                        "event_id": f"{rid}-{k + 1}",
                        "incident_type": inc.type,
                        "place": pm.entity.text,
                        "place_id": p.id,
                        "name_ar": p.name_ar,
                        "name_en": p.name_en,
                        "kind": p.kind,
                        "admin1": p.admin1,
                        "country": p.country,
                        "killed": inc.killed.total.value if inc.killed else None,
                        "injured": inc.injured.total.value if inc.injured else None,
                        "date": inc.time.date if inc.time else None,
                        "actors": [a.text for a in inc.actors],
                    },
                })
    return {"type": "FeatureCollection", "features": feats}


def _cas(c: Any) -> str:
    if c is None:
        return ""
    q = c.total
    s = "?" if q.value is None else {"at_least": "≥", "approx": "~", "at_most": "≤"}.get(q.qualifier, "") + str(q.value)
    if q.qualifier == "range":
        s = f"{q.value}-{q.upper}"
    extra = [f"{n}{k[0]}" for k, n in (("women", c.women), ("children", c.children), ("men", c.men)) if n]
    return s + (f" ({', '.join(extra)})" if extra else "")


def incident_table(reports: Iterable[Report]) -> str:
    """A plain-text table of incidents for the terminal."""
    lines = []
    for r_i, rep in enumerate(reports):
        lines.append(f"report {r_i + 1}: {len(rep.entities)} entities, {len(rep.incidents)} incidents")
        header = f"{'#':>3}  {'type':16} {'trigger':24} {'count':8} {'killed':14} {'injured':10} {'time':12} actors | places"
        lines.append(header)
        lines.append("-" * len(header))
        for k, inc in enumerate(rep.incidents, 1):
            q = inc.count
            cnt = "" if q is None else ("?" if q.value is None else {"at_least": "≥", "approx": "~"}.get(q.qualifier, "") + str(q.value))
            t = inc.time.date or inc.time.entity.text if inc.time else ""
            places = ", ".join(pm.entity.text + (f" [{pm.resolved.display_name}]" if pm.resolved else "") for pm in inc.places)
            trig = inc.trigger.text if inc.trigger else "-"
            lines.append(
                f"{k:>3}  {inc.type:16} {trig[:24]:24} {cnt:8} {_cas(inc.killed):14} {_cas(inc.injured):10} {t[:12]:12} "
                f"{', '.join(a.text for a in inc.actors)} | {places}"
            )
        lines.append("")
    return "\n".join(lines)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
