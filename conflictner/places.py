"""Gazetteer look-up and report-level resolution of place mentions.

The gazetteer is the TSV built by ``training/build_gazetteer.py`` and shipped in
``conflictner/data`` (see ``GAZETTEER.md`` there): Syria down to OCHA
communities, GeoNames places of Iraq, Yemen, Libya and their neighbours, their
admin units, and countries. An optional GPL-2.0 extension with Syrian
neighbourhoods and landmarks is read when its file is present.

Names are matched on a normalised key (``conflictner.text.normalize_word``:
alef/hamza forms, ta marbuta, alef maqsura, diacritics, tatweel) with spaces
removed, so ``ديرالزور`` and ``دير الزور`` are the same key. A query is tried
as written, then with its clitics stripped (``بحلب``, ``والعمال``, ``لإدلب``),
then without a leading designator (``مدينة``, ``حي``, ``ريف`` ...) and
trailing direction adjectives (``الشمالي`` ...); the first form that matches
wins. At each step the same form with the article added or removed (stems of
three letters or more) joins the candidates, ranked lower: OCHA writes
``رصافة`` where reports write ``الرصافة``. A designator narrows (``محافظة``,
``مدينة``, ``ناحية``, ``ريف`` → the governorate/district, never the city) or
raises (``حي``, ``منطقة``, ``بلدة``) the kinds it names.

Resolution (``Gazetteer.resolve``) scores every candidate of every mention of
one report with a prior and the report's other places:

* prior: kind (country > governorate > city > district > town > village >
  neighbourhood > landmark), population for populated places, +1 for Syria
  (the corpus is Syrian), a little for having coordinates;
* context: same governorate as the report's focus (the governorate most of
  the other mentions point to), same country as other mentions, distance to
  other resolved places, same parent unit.

A name never supports itself: two mentions that share a candidate are not
each other's context. Small places are only accepted where the report is: a neighbourhood or
landmark must lie near another place of the report or in its focus
governorate, and a non-major place (not a country, governorate or city of
100,000+) whose name is ambiguous, or that lies in a country the report does
not mention, must be in the report's area. A mention whose only candidates
are homonyms elsewhere stays unresolved: a wrong point 300 km away is worse
than none.

Example:
    >>> gaz = Gazetteer.default()
    >>> gaz.lookup("بحلب")[0].name_en
    'Aleppo'
    >>> [p.kind for p in gaz.lookup("محافظة إدلب")]
    ['governorate']
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from conflictner.results import Entity, Place, PlaceMention
from conflictner.text import normalize_word, strip_clitics

__all__ = ["Gazetteer", "GazetteerRecord", "lookup", "resolve"]

log = logging.getLogger(__name__)

MAIN_FILE = "gazetteer.tsv"
EXTENSION_FILES = ("gazetteer-syrianarchive.tsv",)

#: Kinds that name an area a report can be "about".
_ADMIN_KINDS = frozenset({"country", "region", "governorate", "district", "subdistrict"})
_POPULATED_KINDS = frozenset({"city", "town", "village"})
_LOCAL_KINDS = frozenset({"neighbourhood", "landmark"})

_KIND_PRIOR = {
    "country": 9.0, "region": 5.0, "governorate": 6.0, "district": 4.0, "subdistrict": 3.5,
    "city": 4.0, "town": 3.0, "village": 2.0, "neighbourhood": 1.5, "landmark": 1.0,
}
_HOME_COUNTRY = "SY"
_MAJOR_CITY_POPULATION = 100_000
_NEAR_KM = 15.0
_ARTICLE_PENALTY = 0.75
_HINT_BONUS = 3.0
_AREA_KM = 25.0

# Designators, in normalised form, and the kinds they announce. A "strict"
# hint keeps only candidates of those kinds when there are any; a soft one
# only raises them.
_NEIGHBOURHOOD = ("neighbourhood", "landmark")
_DESIGNATORS: dict[str, tuple[tuple[str, ...], bool]] = {
    **dict.fromkeys(("مدينه", "مدن", "مدينتي"), (("city", "town"), True)),
    **dict.fromkeys(("بلده", "بلدات", "بلدتي", "قريه", "قري", "قريتي", "مزرعه"), (("town", "village", "city"), False)),
    **dict.fromkeys(("حي", "احياء", "حيي", "حاره", "ضاحيه"), (_NEIGHBOURHOOD, False)),
    **dict.fromkeys(("ناحيه", "نواحي"), (("subdistrict",), True)),
    **dict.fromkeys(("منطقه", "مناطق"), (("district",), False)),
    **dict.fromkeys(("قضاء", "اقضيه", "مديريه", "مديريات"), (("district",), True)),
    **dict.fromkeys(("محافظه", "محافظات", "ولايه", "ولايات"), (("governorate",), True)),
    **dict.fromkeys(("اقليم",), (("region", "governorate"), True)),
    # ريف X is X's countryside: the admin unit named X, never the city itself.
    **dict.fromkeys(("ريف", "ارياف"), (("governorate", "district", "subdistrict"), True)),
    **dict.fromkeys(("مخيم", "مخيمات", "شارع", "دوار", "مشروع", "ساحه", "معبر"), (_NEIGHBOURHOOD, False)),
    **dict.fromkeys(("جبل", "سهل", "باديه"), ((), False)),
}
_TRAILING_ADJECTIVES = frozenset({
    "الشمالي", "الجنوبي", "الشرقي", "الغربي", "الشماليه", "الجنوبيه", "الشرقيه", "الغربيه",
    "الاوسط", "السكني",
})
# Words a report uses as common nouns; a mention that reduces to one of them
# alone is not a place name, even where a village or a Lebanese governorate
# happens to bear it (المدينة in Basra, الجنوب in Lebanon).
_GENERIC = frozenset(normalize_word(w).replace(" ", "") for w in (
    "المدينة", "الريف", "الحي", "الأحياء", "القرية", "البلدة", "المنطقة", "المحافظة", "الناحية", "المطار",
    "الجبل", "السهل", "المخيم", "الشارع", "الدوار", "المركز", "المشروع", "الجسر", "الساحة", "الطريق",
    "النهر", "الوادي", "البلد", "الضاحية", "الحدود", "الشمال", "الجنوب", "الشرق", "الغرب", "الوسط",
    "المحيط", "الداخل", "الخارج", "البادية", "الساحل", "المقابر", "الجبهة", "المدن", "القرى", "البلدات",
))
# Head words of facility names; a FAC mention is resolved through the other words.
_FACILITY_WORDS = frozenset(normalize_word(w) for w in (
    "مطار", "المطار", "مبنى", "المبنى", "كتيبة", "الكتيبة", "سرية", "السرية", "فرع", "الفرع", "لواء", "اللواء",
    "فوج", "الفوج", "فرقة", "الفرقة", "مشفى", "المشفى", "مستشفى", "المستشفى", "مدرسة", "المدرسة", "جامع",
    "الجامع", "مسجد", "المسجد", "جامعة", "الجامعة", "كلية", "الكلية", "معمل", "معامل", "فرن", "نادي",
    "حاجز", "الحاجز", "ثكنة", "قاعدة", "القاعدة", "سجن", "السجن", "محطة", "المحطة", "مقر", "المقر",
    "دائرة", "قسم", "ملعب", "مصفاة", "سد", "معبر", "المعبر", "جسر", "الجسر", "بوابة", "مركز", "المركز",
    "العسكري", "العسكرية", "الحربي", "الدولي", "الرئيسي", "المدني", "الأمن", "الأمني", "الجوي",
    "الدفاع", "دفاع", "جوي", "الوطني", "المركزي", "القديم", "الجديد", "الشمالي", "الجنوبي", "الشرقي", "الغربي",
))
_PUNCT = re.compile(r"[()\[\]{}«»\"'“”‘’.,،؛;:!?؟…*/\\–—_-]+")


@dataclass(frozen=True, slots=True)
class GazetteerRecord:
    """A gazetteer row: the ``Place`` plus what resolution and users may need.

    Attributes:
        place: The entry as returned in ``PlaceMention.resolved``.
        population: People living there, when the source says (else None).
        parent_id: Id of the enclosing unit (``SY09`` for a Deir ez-Zor district), or "".
        aliases_ar: Other Arabic spellings, as published.
        precision: What the coordinates are (``point``, ``centroid``,
            ``subdistrict-centre``, ``governorate`` = none ...; see GAZETTEER.md).
        source: Which data set the row comes from.
    """

    place: Place
    population: int | None = None
    parent_id: str = ""
    aliases_ar: tuple[str, ...] = ()
    precision: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class _Match:
    """What a query matched: record indices, the designator's kinds, and how it was found."""

    indices: tuple[int, ...]
    hint: tuple[str, ...] = ()
    strict: bool = False
    via: str = "exact"
    toggled: frozenset[int] = frozenset()


_NO_MATCH = _Match(())


def _key(text: str) -> str:
    """The index key of a name: normalised, without punctuation or spaces."""
    return _PUNCT.sub("", normalize_word(text)).replace(" ", "")


def _tokens(text: str) -> list[str]:
    return _PUNCT.sub(" ", normalize_word(text)).split()


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = math.radians
    a = math.sin(r(lat2 - lat1) / 2) ** 2 + math.cos(r(lat1)) * math.cos(r(lat2)) * math.sin(r(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _float(s: str) -> float | None:
    return float(s) if s.strip() else None


class Gazetteer:
    """An in-memory gazetteer with a normalised-name index.

    Build one with ``Gazetteer.default()`` (the shipped data, loaded once and
    cached) or ``Gazetteer.from_tsv(path, ...)``.

    Example:
        >>> gaz = Gazetteer.default()
        >>> [(p.name_en, p.country) for p in gaz.lookup("الموصل")][:1]
        [('Mosul', 'IQ')]
    """

    def __init__(self, records: Iterable[GazetteerRecord]) -> None:
        """Index the records (names and aliases, Arabic and English)."""
        self._records: tuple[GazetteerRecord, ...] = tuple(records)
        self._by_id = {r.place.id: i for i, r in enumerate(self._records)}
        index: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self._records):
            names = {r.place.name_ar, *r.aliases_ar, r.place.name_en}
            for k in {_key(n) for n in names if n}:
                if k:
                    index[k].append(i)
        self._index: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in index.items()}
        self._prior = tuple(self._prior_of(r) for r in self._records)
        self._cache: dict[str, _Match] = {}

    # --- construction ---------------------------------------------------------

    @classmethod
    def from_tsv(cls, *paths: str | Path) -> Gazetteer:
        """Load one or more gazetteer TSV files (the build script's format).

        Args:
            *paths: Files with the columns of ``gazetteer.tsv``; ``#`` lines are skipped.

        Returns:
            A gazetteer over the rows of all files, in order.
        """
        records: list[GazetteerRecord] = []
        for path in paths:
            with open(path, encoding="utf-8", newline="") as fh:
                records.extend(_read_rows(fh))
        return cls(records)

    @classmethod
    def default(cls, *, extensions: bool = True) -> Gazetteer:
        """The shipped gazetteer, loaded on first use and cached.

        Args:
            extensions: Also load the optional extension files (the GPL-2.0
                Syrian Archive neighbourhoods) when they are present.
        """
        return _default(extensions)

    # --- access -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._records)

    @property
    def records(self) -> tuple[GazetteerRecord, ...]:
        """All records, in file order."""
        return self._records

    def get(self, place_id: str) -> GazetteerRecord | None:
        """The record with this id (``SY09``, ``geonames:170794`` ...), or None."""
        i = self._by_id.get(place_id)
        return None if i is None else self._records[i]

    # --- look-up ----------------------------------------------------------------

    def lookup(self, name: str) -> list[Place]:
        """Candidate places for a name, best prior first.

        Args:
            name: A place name as written in a report, with or without clitics,
                designators (``مدينة``, ``ريف`` ...) and direction adjectives.

        Returns:
            Matching places (empty when none), ordered by the designator's kinds
            and then by prior (kind, population, Syria first).

        Example:
            >>> gaz = Gazetteer.default()
            >>> gaz.lookup("ريف ادلب الشمالي")[0].id
            'SY07'
            >>> gaz.lookup("والعمال")[0].name_ar
            'العمال'
        """
        m = self._match(name)
        order = sorted(m.indices, key=lambda i: -(self._prior[i] + self._hint_bonus(i, m)))
        return [self._records[i].place for i in order]

    def _match(self, name: str) -> _Match:
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        m = self._match_uncached(name)
        if len(self._cache) > 50_000:  # reports are many; keep memory bounded
            self._cache.clear()
        self._cache[name] = m
        return m

    def _match_uncached(self, name: str) -> _Match:
        toks = _tokens(name)
        if not toks:
            return _NO_MATCH
        # The word as written first: a real name that starts with ب/ل/و
        # (بنش، لبنان) must not lose its first letter.
        variants: list[list[str]] = [[first, *toks[1:]] for first in strip_clitics(toks[0])]
        for ts in variants:
            m = self._hits(ts, (), False, "exact")
            if m.indices:
                return m
        for ts, hint, strict, via in self._reduced(variants):
            m = self._hits(ts, hint, strict, via)
            if m.indices:
                return self._apply_hint(m)
        return _NO_MATCH

    def _hits(self, ts: list[str], hint: tuple[str, ...], strict: bool, via: str) -> _Match:
        """Records whose key is ``ts``, plus those of the same name with/without the article.

        OCHA lists many names without the article that reports write with it
        (``رصافة`` for the Rusafa of Deir ez-Zor, ``جبيله``), and GeoNames the
        other way round; both forms are candidates, the form as written ranking
        higher. Stems shorter than three letters are never toggled.
        """
        k = "".join(ts)
        if not k or k in _GENERIC:
            return _NO_MATCH
        exact = self._index.get(k, ())
        first = ts[0]
        if first.startswith("ال") and len(first) >= 5:
            alt = first[2:] + "".join(ts[1:])
        elif not first.startswith("ال") and len(first) >= 3:
            alt = "ال" + k
        else:
            alt = ""
        toggled = tuple(i for i in self._index.get(alt, ()) if i not in exact) if alt and alt not in _GENERIC else ()
        if not exact and not toggled:
            return _NO_MATCH
        return _Match(exact + toggled, hint, strict, via if exact else "article", frozenset(toggled))

    @staticmethod
    def _reduced(variants: list[list[str]]) -> list[tuple[list[str], tuple[str, ...], bool, str]]:
        """Forms without leading designators and trailing direction adjectives, with the designator's kinds."""
        out: list[tuple[list[str], tuple[str, ...], bool, str]] = []
        for ts in variants:
            rest: list[str] = list(ts)
            hint: tuple[str, ...] = ()
            strict = False
            while len(rest) > 1 and rest[0] in _DESIGNATORS:
                kinds, is_strict = _DESIGNATORS[rest[0]]
                if kinds or not hint:
                    hint, strict = kinds, is_strict
                rest = rest[1:]
            if rest != ts:
                out.append((rest, hint, strict, "designator"))
            trimmed = list(rest)
            while len(trimmed) > 1 and trimmed[-1] in _TRAILING_ADJECTIVES:
                trimmed = trimmed[:-1]
            if trimmed != rest:
                out.append((trimmed, hint, strict, "adjective"))
        return out

    def _apply_hint(self, m: _Match) -> _Match:
        if not (m.strict and m.hint):
            return m
        kept = tuple(i for i in m.indices if self._records[i].place.kind in m.hint)
        return _Match(kept or m.indices, m.hint, m.strict, m.via, m.toggled)

    def _hint_bonus(self, i: int, m: _Match) -> float:
        """What the query form adds to a candidate: its designator's kind, minus a toggled article."""
        bonus = -_ARTICLE_PENALTY if i in m.toggled else 0.0
        kind = self._records[i].place.kind
        if m.hint and kind in m.hint:
            # Earlier kinds in the hint are preferred (ريف: governorate, then district).
            # Strong enough for "حي صلاح الدين" to be Aleppo's quarter, not the Iraqi governorate.
            bonus += _HINT_BONUS + 0.5 * (len(m.hint) - m.hint.index(kind))
        return bonus

    @staticmethod
    def _prior_of(r: GazetteerRecord) -> float:
        p = r.place
        score = _KIND_PRIOR.get(p.kind, 1.0)
        if p.kind in _POPULATED_KINDS and r.population:
            score += 0.5 * math.log10(max(r.population, 1))
        if p.country == _HOME_COUNTRY:
            score += 1.0
        if p.latitude is not None:
            score += 0.2
        return score

    def _is_major(self, i: int) -> bool:
        r = self._records[i]
        kind = r.place.kind
        return kind in ("country", "region", "governorate") or (
            kind == "city" and (r.population or 0) >= _MAJOR_CITY_POPULATION
        )

    # --- resolution -------------------------------------------------------------

    def resolve(self, mentions: Sequence[Entity]) -> list[PlaceMention]:
        """Resolve the LOC and FAC mentions of one report together.

        Args:
            mentions: Entities of one report, in any order; entities with other
                labels are passed through unresolved.

        Returns:
            One ``PlaceMention`` per input entity, in input order; ``resolved`` is
            None when nothing in the gazetteer fits.

        Example:
            >>> from conflictner.results import Entity
            >>> gaz = Gazetteer.default()
            >>> ents = [Entity("LOC", "طرابلس", 0, 6), Entity("LOC", "لبنان", 10, 15)]
            >>> gaz.resolve(ents)[0].resolved.country
            'LB'
        """
        matches: list[tuple[_Match, bool]] = []  # (match, found inside a facility name)
        for ent in mentions:
            if ent.label == "LOC":
                matches.append((self._match(ent.text), False))
            elif ent.label == "FAC":
                matches.append(self._match_facility(ent.text))
            else:
                matches.append((_NO_MATCH, False))

        # Round 1: what each mention says about the report's area on its own.
        first = [self._best(m, None) for m, _ in matches]
        signals = [self._signal(m, b) for (m, _), b in zip(matches, first, strict=True)]
        # Round 2: each mention scored with the others' signals (never its own).
        # A name cannot confirm itself: mentions sharing a candidate (the same
        # name written twice, or ديرالزور inside مطار ديرالزور) are not each
        # other's context, or three mentions of a Yemeni village's name would
        # make a Deir ez-Zor report "about" Yemen.
        sets = [frozenset(m.indices) for m, _ in matches]
        # Peers depend only on a mention's candidates, so a name written many times
        # in a long report is judged once per round, not once per occurrence.
        peers_of: dict[frozenset[int], list[int]] = {}
        for c in sets:
            if c not in peers_of:
                peers_of[c] = [j for j in range(len(matches)) if not (c & sets[j])] if c else []
        chosen = self._choose_all(matches, sets, peers_of, signals)
        signals = [self._signal(m, b) if b is not None else None for (m, _), b in zip(matches, chosen, strict=True)]
        chosen = self._choose_all(matches, sets, peers_of, signals)
        return [
            PlaceMention(ent, None if c is None else self._records[c].place)
            for ent, c in zip(mentions, chosen, strict=True)
        ]

    def _choose_all(self, matches: list[tuple[_Match, bool]], sets: list[frozenset[int]],
                    peers_of: dict[frozenset[int], list[int]], signals: list[_Signal | None]) -> list[int | None]:
        """``_choose`` for every mention, computed once per distinct (match, facility word).

        A match object stands for its candidates (``_match`` caches one per name), so it
        also fixes the mention's peers.
        """
        done: dict[tuple[int, bool], int | None] = {}
        out: list[int | None] = []
        for (m, inner), c in zip(matches, sets, strict=True):
            key = (id(m), inner)
            if key not in done:
                done[key] = self._choose(m, inner, [signals[j] for j in peers_of[c]])
            out.append(done[key])
        return out

    def _match_facility(self, text: str) -> tuple[_Match, bool]:
        """A FAC mention: the whole name if listed (a landmark), else a place word inside it."""
        m = self._match(text)
        if m.indices:
            return m, False
        toks = _tokens(text)
        runs: list[list[str]] = [[]]
        for t in toks:
            if t in _FACILITY_WORDS or t.isdigit():
                runs.append([])
            else:
                runs[-1].append(t)
        # Longest place phrase first, left to right.
        spans = [(len(r) - n, r[s:s + n]) for r in runs for n in range(len(r), 0, -1) for s in range(len(r) - n + 1)]
        for _, words in sorted(spans, key=lambda x: x[0]):
            inner = self._match(" ".join(words))
            if inner.indices:
                return inner, True
        return _NO_MATCH, False

    def _best(self, m: _Match, ctx: _Context | None) -> int | None:
        if not m.indices:
            return None
        return max(m.indices, key=lambda i: self._score(i, m, ctx))

    def _score(self, i: int, m: _Match, ctx: _Context | None) -> float:
        s = self._prior[i] + self._hint_bonus(i, m)
        if ctx is None:
            return s
        p = self._records[i].place
        area = (p.country, p.admin1)
        if p.admin1 and area in ctx.focus:
            s += 2.5
        elif p.admin1 and ctx.admin1.get(area, 0) >= 0.5:
            s += 1.0
        if ctx.countries.get(p.country, 0) >= 0.5 and p.kind != "country":
            s += 1.5
        d = ctx.distance(p)
        if d is not None:
            s += 2.0 if d <= _NEAR_KM else 1.0 if d <= 50 else 0.0
        parent = self._records[i].parent_id
        # Sharing a country is already counted; a shared parent unit is closer kin.
        if parent and not parent.startswith("iso:") and (parent in ctx.ids or parent in ctx.parents):
            s += 1.0
        return s

    def _signal(self, m: _Match, best: int | None) -> _Signal | None:
        """What one mention says about the report's area, if it says anything firmly."""
        if best is None:
            return None
        areas = {(self._records[i].place.country, self._records[i].place.admin1) for i in m.indices}
        countries = {self._records[i].place.country for i in m.indices}
        p = self._records[best].place
        if len(areas) == 1:
            weight = 1.0
        else:
            # Ambiguous name: it counts only when its best reading clearly wins.
            others = [self._prior[i] for i in m.indices if (self._records[i].place.country, self._records[i].place.admin1) != (p.country, p.admin1)]
            weight = 0.5 if self._prior[best] - max(others) >= 1.0 else 0.0
        country_weight = 1.0 if len(countries) == 1 else weight
        if weight == 0.0 and country_weight == 0.0:
            return None
        point = (p.latitude, p.longitude) if (p.latitude is not None and weight >= 0.5 and p.kind not in ("country", "region")) else None
        return _Signal(p.id, self._records[best].parent_id, (p.country, p.admin1) if p.admin1 else None, p.country,
                       weight, country_weight, point, p.kind)

    def _choose(self, m: _Match, inner: bool, signals: Sequence[_Signal | None]) -> int | None:
        """The best acceptable candidate of one mention, given the other mentions' signals."""
        if not m.indices:
            return None
        ctx = _Context.build([s for s in signals if s is not None])
        ranked = sorted(m.indices, key=lambda c: -self._score(c, m, ctx))
        if ctx.empty:
            # Nothing else in the report to judge by: the prior decides, but a
            # place word inside a facility name must be a major place.
            best = ranked[0]
            return best if (not inner or self._is_major(best)) else None
        areas = {(self._records[c].place.country, self._records[c].place.admin1) for c in m.indices}
        ambiguous = len(areas) > 1
        for c in ranked:
            if self._acceptable(c, m, inner, ambiguous, ctx):
                return c
            log.debug("rejected %s for %r", self._records[c].place.id, self._records[c].place.name_ar)
        return None

    def _acceptable(self, c: int, m: _Match, inner: bool, ambiguous: bool, ctx: _Context) -> bool:
        p = self._records[c].place
        if self._is_major(c):
            return True
        d = ctx.distance(p, populated_only=True)
        in_focus = bool(p.admin1) and (p.country, p.admin1) in ctx.focus
        near = d is not None and d <= _AREA_KM
        if inner:
            # A word inside a facility name (كتيبة الإشارة, نادي الضباط) is
            # usually a description, not a place, even when a town of the same
            # governorate bears it (GeoNames spells العشارة "الإشارة"): only a
            # place near the report's other places, spelt as written, counts.
            return near and c not in m.toggled
        local = p.kind in _LOCAL_KINDS or (m.hint == _NEIGHBOURHOOD and p.kind not in _ADMIN_KINDS)
        if local:
            # A neighbourhood belongs to a city: the report must be there.
            return in_focus or (d is not None and d <= _NEAR_KM)
        if in_focus or near:
            return True
        if ambiguous:
            return False
        return ctx.countries.get(p.country, 0) >= 0.5


@dataclass(frozen=True, slots=True)
class _Signal:
    id: str
    parent: str
    area: tuple[str, str] | None
    country: str
    weight: float
    country_weight: float
    point: tuple[float, float] | None
    kind: str


@dataclass(slots=True)
class _Context:
    """The other mentions of a report, summarised."""

    admin1: Counter[tuple[str, str]]
    countries: Counter[str]
    focus: frozenset[tuple[str, str]]
    points: list[tuple[float, float, str]]
    ids: frozenset[str]
    parents: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.admin1 and not self.countries

    @classmethod
    def build(cls, signals: Sequence[_Signal]) -> _Context:
        admin1: Counter[tuple[str, str]] = Counter()
        countries: Counter[str] = Counter()
        points: list[tuple[float, float, str]] = []
        seen: set[tuple[float, float, str]] = set()
        for s in signals:
            if s.area is not None and s.weight:
                admin1[s.area] += s.weight
            if s.country_weight:
                countries[s.country] += s.country_weight
            if s.point is not None and (s.point[0], s.point[1], s.kind) not in seen:
                # Repeated names add nothing to a nearest-place distance.
                seen.add((s.point[0], s.point[1], s.kind))
                points.append((s.point[0], s.point[1], s.kind))
        top = max(admin1.values(), default=0.0)
        # The focus: the governorate(s) most mentions point to (a report about
        # Deir ez-Zor that also names Raqqa once is still about Deir ez-Zor).
        focus = frozenset(a for a, w in admin1.items() if w >= 1.0 and w >= 0.5 * top)
        return cls(admin1, countries, focus, points, frozenset(s.id for s in signals), frozenset(s.parent for s in signals if s.parent))

    def distance(self, p: Place, *, populated_only: bool = False) -> float | None:
        """Kilometres from ``p`` to the nearest other place of the report, if both have coordinates."""
        if p.latitude is None or p.longitude is None or not self.points:
            return None
        pts = [(la, lo) for la, lo, k in self.points if not populated_only or k not in _ADMIN_KINDS]
        if not pts:
            return None
        return min(_haversine_km(p.latitude, p.longitude, la, lo) for la, lo in pts)


def _read_rows(lines: Iterable[str]) -> Iterable[GazetteerRecord]:
    reader = csv.DictReader((ln for ln in lines if not ln.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        place = Place(
            id=row["id"],
            name_ar=row["name_ar"],
            name_en=row["name_en"],
            kind=row["kind"],
            admin1=row["admin1"] or None,
            country=row["country"],
            latitude=_float(row["lat"]),
            longitude=_float(row["lon"]),
        )
        yield GazetteerRecord(
            place=place,
            population=int(row["population"]) if row["population"] else None,
            parent_id=row["parent_id"],
            aliases_ar=tuple(a for a in row["aliases_ar"].split("|") if a),
            precision=row.get("precision", ""),
            source=row.get("source", ""),
        )


@functools.lru_cache(maxsize=2)
def _default(extensions: bool) -> Gazetteer:
    data = importlib.resources.files("conflictner") / "data"
    records: list[GazetteerRecord] = []
    names = (MAIN_FILE, *EXTENSION_FILES) if extensions else (MAIN_FILE,)
    for name in names:
        res = data / name
        if not res.is_file():
            if name == MAIN_FILE:
                raise FileNotFoundError(f"{name} is missing from conflictner/data; run training/build_gazetteer.py")
            continue  # optional extension not shipped
        with res.open(encoding="utf-8", newline="") as fh:
            rows = list(_read_rows(fh))
        log.info("gazetteer: %d places from %s", len(rows), name)
        records.extend(rows)
    return Gazetteer(records)


def lookup(name: str) -> list[Place]:
    """``Gazetteer.default().lookup(name)``.

    Example:
        >>> lookup("صنعاء")[0].country
        'YE'
    """
    return Gazetteer.default().lookup(name)


def resolve(mentions: Sequence[Entity]) -> list[PlaceMention]:
    """``Gazetteer.default().resolve(mentions)``."""
    return Gazetteer.default().resolve(mentions)
