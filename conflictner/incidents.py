"""Incident assembly: from entity spans to typed incidents (``incident-schema.md``).

Works on entity spans alone, so it runs the same on gold annotations and on
model output. The steps, per sentence (a block of ``field: value`` header
lines counts as one sentence):

1. Every ``EVENT`` is a candidate trigger. Triggers that describe one event
   are merged: adjacent ones (``أكثر من 30 غارة جوية استهدفت``), an
   instrumental ``ب`` trigger after a verb in the same clause (``استهدف ...
   بعدد من الغارات``), and a seizure or withdrawal right after a capture
   (``سيطر ... و استولى ... بعد انسحاب``). Triggers that were only attempted or
   negated (``في محاولة ... السيطرة``, ``عجز عن السيطرة``, ``لم``) yield no incident.
2. Other entities attach by position: a trigger owns the entities from itself
   to the next trigger of its clause; entities before the first trigger of a
   clause belong to it; a clause without a trigger continues the previous
   incident of the sentence (that is how ``بين X و Y``, ``أدت لمقتل ...`` and
   trailing places attach) unless it opens with a background marker
   (``بعد``, ``منذ``, ``في محاولة``), whose entities describe another event.
   Places introduced by ``من`` (origin) are not where the incident happened.
3. A casualty with no trigger in its sentence starts an incident of its own,
   typed from the sentence's cue words.
4. Types come from the trigger, refined by weapons, actors and the clause's
   words (``الطيران`` → airstrike, ``هاون`` → shelling); counts from the
   trigger or a counted munition; casualties from KILLED/INJURED spans; places
   are resolved against the gazetteer with the whole report as context; time is
   the incident's TIME, else the last TIME earlier in the same paragraph.

Report footers and boilerplate paragraphs (``نحن مجموعة``, ``اترك رد``...) yield no incidents.
"""

from __future__ import annotations

import datetime as _dt
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .results import Casualties, Entity, Incident, PlaceMention, Quantity, Report
from .text import Token, normalize_word, split_clauses, split_sentences, tokenize

__all__ = ["build_incidents", "incident_type", "build_report"]

log = logging.getLogger(__name__)


def _norm_list(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(normalize_word(w) for w in words)


# Cue stems (normalised) by incident type. A stem matches a word that contains it
# after clitics, so "بغارتين" matches "غار".
_TYPE_CUES: list[tuple[str, tuple[str, ...]]] = [
    ("chemical_attack", _norm_list(["كيماوي", "كيميائي", "سارين", "كلور", "غازات سامة", "غاز سام", "الخردل", "غازات", "غاز"])),
    ("explosion", _norm_list(["تفجير", "انفجار", "عبوة", "عبوات", "ناسفة", "مفخخ", "لغم", "ألغام", "انتحاري", "تفجيرات"])),
    # A ground or counter offensive is fighting between armed parties (ACLED: Battles), whatever
    # artillery or bombs the same sentence mentions; the bare "هجوم" stays generic.
    ("armed_clash", _norm_list(["اشتباك", "معارك", "معركة", "مواجهات", "اقتتال", "اشتبك", "تبادل إطلاق", "تبادل لإطلاق", "تبادل النار", "تبادلوا إطلاق",
                                "هجوم بري", "هجوماً برياً", "الهجوم البري", "هجوم معاكس", "هجوماً معاكساً", "الهجوم المعاكس", "هجوم مضاد", "هجوماً مضاداً", "الهجوم المضاد"])),
    # Cues match inside words, so stems cover the inflected verbs: "استول" (استولى، استولت، استولوا), "نسحب"
    # (انسحب، ينسحب), "ستعيد" (تستعيد), "قتحم" (اقتحم، يقتحمون), "غنم" (غنموا، غنمها: equipment seized with a position).
    ("territory_change", _norm_list(["سيطر", "استول", "غنم", "اجتاح", "اجتياح", "استعاد", "ستعيد", "استرجع", "استرد", "تقدم", "انسحاب", "نسحب", "اقتحام", "قتحم", "تحرير", "حرر", "دخول", "استيلاء"])),
    ("arrest_abduction", _norm_list(["اعتقال", "اعتقل", "اختطاف", "اختطف", "خطف", "احتجاز", "احتجز", "أسر", "مداهمة", "داهم", "اختفاء قسري", "اختفاء القسري", "إخفاء قسري", "إخفاء القسري"])),
    ("airstrike", _norm_list(["غارة", "غارات", "غارت", "الغار", "جوي", "جوية", "طيران", "طائرة", "طائرات", "مروحي", "برميل", "براميل", "حربي"])),
    ("shelling", _norm_list(["قذيف", "قذائف", "هاون", "مدفع", "صاروخ", "صواريخ", "راجم", "مدفعي", "قصف"])),
    ("attack", _norm_list(["هجوم", "هجمات", "هجمة", "هجمت", "هاجم", "هوجم", "ستهدف", "إعدام", "اغتيال", "قنص", "قناص", "مجزرة", "مجازر", "اعتداء", "إطلاق نار", "إطلاق النار", "رصاص", "استهداف", "استهدف", "ضربة", "ضربات", "الغارة", "طعن", "ذبح"])),
]
# Which types a trigger fixes by itself (context cannot override them).
_SPECIFIC = {"chemical_attack", "explosion", "armed_clash", "territory_change", "arrest_abduction"}
# Generic triggers whose type the context decides.
_GENERIC = _norm_list(["استهدف", "استهداف", "باستهداف", "قصف", "هجوم", "ضربة", "ضربات", "ضرب", "الهجوم", "هجمات", "الهجمات"])

_BACKGROUND_OPENERS = _norm_list(["بعد", "قبل", "منذ", "في محاولة", "بهدف", "لمحاولة", "عقب"])
_NEGATION_CUES = _norm_list(["محاولة", "محاوله", "عجز", "لم", "لن", "فشل", "فشلت", "يحاول", "تحاول", "نية", "نيه"])
_SEIZURE = _norm_list(["استولى", "استولت", "استولوا", "الاستيلاء", "انسحاب", "انسحب", "انسحبت", "انسحبوا", "اغتنام", "اغتنم", "غنم", "غنموا", "غنمت"])
_ORIGIN = _norm_list(["من", "من أهالي", "من سكان", "ابناء", "أبناء"])
_CIVILIAN_CONTEXT = _norm_list(["المدنيين", "مدنيين", "المدنيون", "الأهالي", "السكان"])
_PRONOUN_OBJECTS = _norm_list(["عليها", "عليه", "منها", "منه", "فيها", "فيه", "عليهما"])
_MUNITION = _norm_list(["قذيف", "قذائف", "صاروخ", "صواريخ", "برميل", "براميل", "غار", "قنبل", "قنابل", "ضرب"])

_BOILERPLATE = re.compile(
    r"(نحن مجموعة|اترك رد|اترك تعليق|جميع الحقوق محفوظة|من نحن|تابعونا|للتواصل|اشترك في|شارك هذا|نرحب بتعليقاتكم|هذه المنظمة)"
)
_FIELD_LINE = re.compile(r"^[^\n:：]{1,45}[:：]")


@dataclass
class _Unit:
    """A sentence (or a header block) with its clauses and entities."""

    tokens: list[Token]
    clauses: list[list[Token]]
    paragraph: int


@dataclass
class _Draft:
    triggers: list[Entity]
    members: list[Entity] = field(default_factory=list)
    unit: _Unit | None = None
    clause: int = 0
    skip: bool = False


@functools.lru_cache(maxsize=64)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, cues)))


def _has_cue(words: Sequence[str], cues: Sequence[str]) -> bool:
    """True when a cue occurs inside one of the words (a multi-word cue inside consecutive words)."""
    if not cues or not words:
        return False
    # One compiled alternation over the joined words instead of words × cues
    # substring tests: incident typing runs it for every trigger of every report.
    return _cue_pattern(tuple(cues)).search(" ".join(words)) is not None


def incident_type(trigger_text: str, context: Sequence[str] = (), sentence: Sequence[str] = ()) -> str:
    """The incident type of a trigger, refined by context words.

    Args:
        trigger_text: The EVENT span (or the strongest cue).
        context: Words close to the trigger: the incident's weapons and actors, its clause.
        sentence: Wider words (the whole sentence). They refine only a trigger with a
            cue of its own: a generic "الهجوم" takes its kind from the sentence that
            describes it, but a trigger with no cue at all ("التعذيب") does not become a
            chemical attack because another clause names one.

    Example:
        >>> incident_type("أكثر من 30 غارة جوية")
        'airstrike'
        >>> incident_type("استهدف", ["قذائف الهاون"])
        'shelling'
        >>> incident_type("اشتباكات", ["الدبابات"])
        'armed_clash'
        >>> incident_type("التعذيب", ["الحكومة السورية"], ["الهجمات الكيماوية"])
        'other'
    """
    tw = normalize_word(trigger_text).split()
    own = [t for t, cues in _TYPE_CUES if _has_cue(tw, cues)]
    for t in own:
        if t in _SPECIFIC:
            return t
    words = [*context, *sentence] if own else context
    cw = [w for c in words for w in normalize_word(c).split()]
    ctx = {t for t, cues in _TYPE_CUES if _has_cue(cw, cues)}
    if "chemical_attack" in ctx:
        return "chemical_attack"
    if "airstrike" in own:
        return "airstrike"
    if "shelling" in own:
        # A bare "قصف" by aircraft is an air strike; with shells or rockets it is shelling.
        only_generic = all(w in _GENERIC for w in tw)
        return "airstrike" if only_generic and "airstrike" in ctx else "shelling"
    for t in ("explosion", "airstrike", "shelling"):
        if t in ctx:
            return t
    return "attack" if "attack" in own else "other"


def _units(text: str, tokens: list[Token]) -> list[_Unit]:
    """Sentences, with consecutive ``field: value`` header lines merged into one unit."""
    units: list[_Unit] = []
    para = 0
    prev_end = 0
    header_open = False
    for sent in split_sentences(text, tokens):
        gap = text[prev_end : sent[0].start]
        if "\n\n" in gap.replace("\r", "") or re.search(r"\n\s*\n", gap):
            para += 1
        line_start = text.rfind("\n", 0, sent[0].start) + 1
        line = text[line_start : text.find("\n", sent[0].start) if "\n" in text[sent[0].start :] else len(text)]
        is_field = bool(_FIELD_LINE.match(line.strip()))
        if is_field and header_open and units and units[-1].paragraph == para:
            units[-1].tokens += sent
            units[-1].clauses.append(list(sent))
        else:
            units.append(_Unit(list(sent), split_clauses(sent) if not is_field else [list(sent)], para))
        header_open = is_field
        prev_end = sent[-1].end
    return units


def _words_before(tokens: list[Token], start: int, n: int) -> list[str]:
    before = [t.text for t in tokens if t.end <= start]
    return [normalize_word(w) for w in before[-n:]]


def _is_boilerplate(text: str, unit: _Unit) -> bool:
    return bool(_BOILERPLATE.search(text[unit.tokens[0].start : unit.tokens[-1].end]))


def _quantity(text: str, **kw: object) -> Quantity | None:
    from .numbers import parse_quantity

    return parse_quantity(text, **kw)  # type: ignore[arg-type]


def _casualties(entities: list[Entity], label: str, clause_text: str) -> Casualties | None:
    from .numbers import parse_casualties

    mine = [e for e in entities if e.label == label]
    if not mine:
        return None
    parsed = [parse_casualties(e.text, label) for e in mine]
    numeric = [(e, c) for e, c in zip(mine, parsed) if c.total.value is not None]
    if not numeric:
        base, ent = parsed[0], mine[0]
        total = base.total
    elif len(numeric) == 1:
        ent, base = numeric[0]
        total = base.total
    else:
        # Several counted groups in one incident ("5 مدنيين" ... "3 عناصر"): they add up.
        ent, base = numeric[0]
        value = sum(c.total.value or 0 for _, c in numeric)
        qual = "exact" if all(c.total.qualifier == "exact" for _, c in numeric) else "at_least"
        total = Quantity(value, None, qual, " + ".join(c.total.text for _, c in numeric))
    civilians = base.civilians
    if civilians is None and _has_cue(normalize_word(clause_text).split(), _CIVILIAN_CONTEXT):
        civilians = True

    def total_of(attr: str) -> int | None:
        vals = [getattr(c, attr) for c in parsed if getattr(c, attr) is not None]
        return sum(vals) if vals else None

    return Casualties(
        total=total,
        civilians=civilians,
        women=total_of("women"),
        children=total_of("children"),
        men=total_of("men"),
        entity=ent,
    )


def _count(triggers: list[Entity], weapons: list[Entity], itype: str) -> Quantity | None:
    """Strikes, shells or attacks from the trigger or a counted munition; items for a capture."""
    for t in triggers:
        q = _quantity(t.text)
        if q is not None and q.value is not None:
            return q
    for w in weapons:
        # In a capture the counted weapons are the items seized ("استولى على دبابتين").
        if itype == "territory_change" or _has_cue(normalize_word(w.text).split(), _MUNITION):
            q = _quantity(w.text)
            if q is not None and q.value is not None:
                return q
    for t in triggers:
        q = _quantity(t.text)
        if q is not None:
            return q
    return None


def _in_clause(e: Entity, clause: list[Token]) -> bool:
    return clause[0].start <= e.start < clause[-1].end


def _drafts_for_unit(text: str, unit: _Unit, ents: list[Entity]) -> list[_Draft]:
    """Triggers, merges and attachments of one sentence."""
    drafts: list[_Draft] = []
    last: _Draft | None = None
    for ci, clause in enumerate(unit.clauses):
        c_ents = [e for e in ents if _in_clause(e, clause)]
        if not c_ents:
            continue
        triggers = [e for e in c_ents if e.label == "EVENT"]
        opener = normalize_word(" ".join(t.text for t in clause[:3]))
        if not triggers:
            background = any(opener.startswith(b) for b in _BACKGROUND_OPENERS)
            if last is not None and not background:
                last.members += c_ents
            elif last is None and any(e.label in ("KILLED", "INJURED") for e in c_ents):
                # Casualties before any trigger: an incident of their own (step 3).
                last = _Draft([], list(c_ents), unit, ci)
                drafts.append(last)
            continue
        pending: list[Entity] = []
        current: _Draft | None = None
        for e in c_ents:
            if e.label != "EVENT":
                (current.members if current else pending).append(e)
                continue
            before = _words_before(unit.tokens, e.start, 3)
            attempted = any(w in _NEGATION_CUES for w in before) or any(w.startswith(("محاول", "عجز")) for w in before)
            nw = normalize_word(e.text)
            if current is not None and not current.skip:
                gap_tokens = [t for t in clause if current.triggers[-1].end <= t.start and t.end <= e.start]
                adjacent = len(gap_tokens) <= 1 and not any(
                    x.label in ("LOC", "FAC", "ACTOR") for x in current.members
                    if x.start > current.triggers[-1].end
                )
                instrumental = nw.startswith("ب") and normalize_word(current.triggers[0].text).split()[0] in _GENERIC
                if adjacent or instrumental:
                    current.triggers.append(e)
                    continue
            seizure = any(nw.split()[0].endswith(s) for s in _SEIZURE)
            if seizure and not attempted and last is not None and last.triggers:
                if incident_type(last.triggers[0].text) == "territory_change":
                    last.triggers.append(e)
                    current = last
                    continue
            current = _Draft([e], [], unit, ci, skip=attempted)
            if pending:
                current.members += pending
                pending = []
            drafts.append(current)
            last = current if not attempted else last
        if pending and current is not None:
            current.members += pending
    return drafts


def build_incidents(
    text: str,
    entities: Sequence[Entity],
    *,
    report_date: _dt.date | None = None,
    gazetteer: object | None = None,
) -> list[Incident]:
    """Assemble incidents from a report's entities.

    Args:
        text: The original report.
        entities: Its entities (gold or predicted), any order.
        report_date: Date that relative times resolve against.
        gazetteer: A :class:`conflictner.places.Gazetteer` (the shipped one by default).

    Returns:
        Incidents in order of their evidence.
    """
    from .dates import resolve_time

    ents = sorted(entities, key=lambda e: (e.start, e.end))
    if not ents:
        return []
    tokens = tokenize(text)
    units = _units(text, tokens)
    place_mentions = _resolve_places(ents, gazetteer)
    drafts: list[_Draft] = []
    skipped_paragraphs = {u.paragraph for u in units if _is_boilerplate(text, u)}
    for unit in units:
        if unit.paragraph in skipped_paragraphs:
            continue
        u_ents = [e for e in ents if unit.tokens[0].start <= e.start < unit.tokens[-1].end]
        drafts += [d for d in _drafts_for_unit(text, unit, u_ents) if not d.skip]

    times = [e for e in ents if e.label == "TIME"]
    incidents: list[Incident] = []
    for d in drafts:
        unit = d.unit
        assert unit is not None
        members = d.members
        weapons = [e for e in members if e.label == "WEAPON"]
        actors = [e for e in members if e.label == "ACTOR"]
        places = []
        for e in members:
            if e.label in ("LOC", "FAC"):
                before = _words_before(unit.tokens, e.start, 1)
                if before and before[0] in _ORIGIN and e.label == "LOC":
                    continue
                places.append(place_mentions[(e.start, e.end)])
        clause_text = text[unit.tokens[0].start : unit.tokens[-1].end]
        trigger = d.triggers[0] if d.triggers else None
        cue_text = " ".join(t.text for t in d.triggers) if d.triggers else clause_text
        own_clause = unit.clauses[d.clause] if d.triggers else unit.tokens
        context = [e.text for e in weapons + actors] + [text[own_clause[0].start : own_clause[-1].end]]
        itype = incident_type(cue_text, context, [clause_text])
        if not d.triggers and itype == "other":
            itype = "attack" if any(e.label == "KILLED" for e in members) else "other"
        prev = incidents[-1] if incidents and incidents[-1].start == unit.tokens[0].start else None
        # A capture announced right after a clash ("انتهت بسيطرة التنظيم عليها"), or one whose
        # object is a pronoun ("سيطرة تنظيم داعش عليها"), took the previous incident's places.
        if not places and itype == "territory_change" and prev is not None:
            after = [normalize_word(t.text) for t in unit.tokens if trigger and t.start >= trigger.end][:4]
            if prev.type == "armed_clash" or any(w in _PRONOUN_OBJECTS for w in after):
                places = list(prev.places)
        # Arabic often leaves the subject implicit after its first mention ("فرض سيطرته",
        # "كما سيطر أيضا"): take it from the previous incident of the same kind, else the
        # sentence's first actor when it comes before the trigger.
        if not actors and trigger is not None:
            if prev is not None and prev.type == itype and prev.actors:
                actors = [prev.actors[0]]
            else:
                first = next((e for e in ents if e.label == "ACTOR" and unit.tokens[0].start <= e.start < trigger.start), None)
                if first is not None:
                    actors = [first]
        t_ent = next((e for e in members if e.label == "TIME"), None)
        if t_ent is None:
            anchor = trigger.start if trigger else (members[0].start if members else unit.tokens[0].start)
            prior = [t for t in times if t.start < anchor and _same_paragraph(units, t, unit)]
            t_ent = prior[-1] if prior else None
        incidents.append(
            Incident(
                type=itype,
                trigger=trigger,
                actors=tuple(actors),
                places=tuple(places),
                weapons=tuple(weapons),
                count=_count(d.triggers, weapons, itype),
                killed=_casualties(members, "KILLED", clause_text),
                injured=_casualties(members, "INJURED", clause_text),
                time=resolve_time(t_ent, report_date) if t_ent else None,
                start=unit.tokens[0].start,
                end=unit.tokens[-1].end,
                evidence=clause_text,
            )
        )
    return incidents


def _same_paragraph(units: list[_Unit], ent: Entity, unit: _Unit) -> bool:
    for u in units:
        if u.tokens[0].start <= ent.start < u.tokens[-1].end:
            return u.paragraph == unit.paragraph
    return False


def _resolve_places(ents: list[Entity], gazetteer: object | None) -> dict[tuple[int, int], PlaceMention]:
    loc = [e for e in ents if e.label in ("LOC", "FAC")]
    try:
        from .places import Gazetteer

        gz = gazetteer or Gazetteer.default()
        mentions = gz.resolve(loc)  # type: ignore[attr-defined]
    except (ImportError, FileNotFoundError) as e:  # the gazetteer is optional data
        log.warning("no gazetteer (%s): places stay unresolved", e)
        mentions = [PlaceMention(e) for e in loc]
    return {(m.entity.start, m.entity.end): m for m in mentions}


def build_report(text: str, entities: Sequence[Entity], *, report_date: _dt.date | str | None = None) -> Report:
    """A :class:`Report` from entities you already have (gold spans, another tagger).

    Example:
        >>> from conflictner.results import Entity
        >>> t = "قصف الطيران الحربي بلدة حيش"
        >>> r = build_report(t, [Entity("EVENT", "قصف", 0, 3), Entity("ACTOR", "الطيران الحربي", 4, 18)])
        >>> r.incidents[0].type
        'airstrike'
    """
    if isinstance(report_date, str):
        report_date = _dt.date.fromisoformat(report_date)
    ents = tuple(sorted(entities, key=lambda e: (e.start, e.end)))
    for e in ents:
        if text[e.start : e.end] != e.text:
            raise ValueError(f"entity {e!r} does not match the text at {e.start}:{e.end}")
    return Report(
        text=text,
        entities=ents,
        incidents=tuple(build_incidents(text, ents, report_date=report_date)),
        report_date=report_date.isoformat() if report_date else None,
    )
