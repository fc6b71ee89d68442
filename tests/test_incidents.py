"""Incident assembly on gold spans: the example report, and table-driven sentences."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conflictner.export import ACLED_COLUMNS, incident_table, to_acled_csv, to_geojson
from conflictner.incidents import build_report, incident_type
from conflictner.results import Entity


def _report(gold: dict, report_date: str | None = "2016-10-02"):
    ents = [Entity(e["label"], e["text"], e["start"], e["end"]) for e in gold["entities"]]
    return build_report(gold["text"], ents, report_date=report_date)


def _summary(inc) -> tuple:
    q = inc.count
    return (
        inc.type,
        inc.trigger.text if inc.trigger else None,
        tuple(a.text for a in inc.actors),
        tuple(p.entity.text for p in inc.places),
        None if q is None else (q.value, q.qualifier),
        None if inc.killed is None else (inc.killed.total.value, inc.killed.women, inc.killed.children, inc.killed.civilians),
        None if inc.injured is None else (inc.injured.total.value, inc.injured.total.qualifier),
    )


# What incident-schema.md says the example report contains, incident by incident.
EXPECTED = [
    ("armed_clash", "اشتباكات", ("تنظيم داعش", "قوات النظام"), ("مدينة ديرالزور", "المطار العسكري"), None, None, None),
    ("territory_change", "سيطرته", ("تنظيم داعش",), ("مطار ديرالزور العسكري", "مشروع الجرية السكني"), None, None, None),
    ("other", "ومحاصرة", ("قوات النظام",), ("مطار ديرالزور العسكري", "حي هرابش", "المربع الأمني", "اللواء 137"), None, None, None),
    ("armed_clash", "اشتباكات", ("تنظيم داعش", "وقوات النظام"), ("كتيبة الإشارة", "وسرية دفاع جوي", "حي هرابش"), None, None, None),
    ("territory_change", "بسيطرة", ("التنظيم",), ("كتيبة الإشارة", "وسرية دفاع جوي", "حي هرابش"), None, None, None),
    ("territory_change", "سيطر", ("التنظيم", "لفرع الأمن العسكري"), ("سرية جنيد",), None, None, None),
    ("territory_change", "وسيطر", ("التنظيم", "قوات النظام"), ("كتيبة الدبابات", "المطار العسكري"), (2, "exact"), None, None),
    ("territory_change", "سيطر", ("التنظيم",), ("حي العمال",), None, None, None),
    ("territory_change", "تقدم", ("لتنظيم داعش",), ("الرصافة", "والعمال"), None, None, None),
    ("airstrike", "أكثر من 30 غارة جوية", ("الطيران الحربي التابع لقوات النظام",), ("منطقة معامل البلوك", "ديرالزور"), (30, "at_least"), None, None),
    ("territory_change", "سيطرة", ("تنظيم داعش",), ("منطقة معامل البلوك", "ديرالزور"), None, None, None),
    ("airstrike", "استهدف", ("الطيران الحربي",), ("الجبيلة", "الحميدية", "الرصافة", "العمال", "المطار القديم", "دوار غسان عبود"),
     (None, "unspecified"), (None, None, None, True), (None, "unspecified")),
    ("shelling", "استهدف", ("تنظيم داعش",), ("الجورة", "القصور", "مبنى المحافظة", "مبنى الرقابة و التفتيش", "شارع الوادي", "فرن الجاز", "ومبنى البريد", "ونادي الضباط"),
     (25, "at_least"), (6, 1, 2, True), (None, "unspecified")),
]


def test_example_report_incidents_match_the_schema_from_gold_spans(gold_example: dict) -> None:
    report = _report(gold_example)
    got = [_summary(i) for i in report.incidents]
    assert got == EXPECTED


def test_example_report_details(gold_example: dict) -> None:
    report = _report(gold_example)
    incs = report.incidents
    assert [w.text for w in incs[0].weapons] == ["الأسلحة المتوسطة و الثقيلة", "الدبابات"]
    assert incs[0].time is not None and incs[0].time.entity.text == "فجر اليوم" and incs[0].time.date == "2016-10-02"
    assert [w.text for w in incs[6].weapons] == ["دبابتين"]
    shelling = incs[-1]
    assert [w.text for w in shelling.weapons] == ["قذائف الهاون", "بأكثر من 25 قذيفة"]
    assert shelling.killed is not None and shelling.killed.entity is not None
    assert shelling.killed.entity.text == "لمقتل 6 مديين بينهم امرأة وطفلين"
    assert shelling.time is not None and shelling.time.entity.text == "اليوم"
    # the footer (organisation's "about us" and "اترك رد") yields nothing
    footer = gold_example["text"].index("نحن مجموعة")
    assert all(i.start < footer for i in incs)
    for inc in incs:
        assert report.text[inc.start : inc.end] == inc.evidence


def test_relative_time_stays_unresolved_without_a_report_date(gold_example: dict) -> None:
    report = _report(gold_example, report_date=None)
    assert report.incidents[-1].time is not None and report.incidents[-1].time.date is None


def test_deir_ez_zor_places_resolve_in_context(gold_example: dict) -> None:
    places = {p.entity.text: p.resolved for i in _report(gold_example).incidents for p in i.places}
    assert places["مدينة ديرالزور"] is not None and places["مدينة ديرالزور"].admin1 and "Deir" in places["مدينة ديرالزور"].admin1
    assert places["الجورة"] is None or "Deir" in (places["الجورة"].admin1 or "")
    assert places["القصور"] is None or "Deir" in (places["القصور"].admin1 or "")


def _ents(text: str, spans: list[tuple[str, str]]) -> list[Entity]:
    out, pos = [], 0
    for phrase, label in spans:
        i = text.index(phrase, pos)
        out.append(Entity(label, phrase, i, i + len(phrase)))
        pos = i + len(phrase)
    return out


SENTENCES = [
    ("قصف الطيران الحربي الروسي بلدة حيش بغارتين جويتين، ما أدى لمقتل ثلاثة مدنيين بينهم طفل.",
     [("قصف", "EVENT"), ("الطيران الحربي الروسي", "ACTOR"), ("بلدة حيش", "LOC"), ("بغارتين جويتين", "EVENT"), ("لمقتل ثلاثة مدنيين بينهم طفل", "KILLED")],
     [("airstrike", (2, "exact"), (3, None, 1, True))]),
    ("انفجرت سيارة مفخخة في سوق المدينة وأسفر التفجير عن سقوط 12 قتيلا و30 جريحا.",
     [("سيارة مفخخة", "WEAPON"), ("التفجير", "EVENT"), ("12 قتيلا", "KILLED"), ("30 جريحا", "INJURED")],
     [("explosion", None, (12, None, None, None))]),
    ("واعتقلت قوات الأمن عشرات الشبان في حي الوعر.",
     [("واعتقلت", "EVENT"), ("قوات الأمن", "ACTOR"), ("حي الوعر", "LOC")],
     [("arrest_abduction", None, None)]),
    ("دارت اشتباكات عنيفة بين الجيش الحر وقوات النظام انتهت بسيطرة الجيش الحر على حاجز القرميد.",
     [("اشتباكات عنيفة", "EVENT"), ("الجيش الحر", "ACTOR"), ("وقوات النظام", "ACTOR"), ("بسيطرة", "EVENT"), ("الجيش الحر", "ACTOR"), ("حاجز القرميد", "FAC")],
     [("armed_clash", None, None), ("territory_change", None, None)]),
    ("وتعرضت مدينة خان شيخون لهجوم بغاز السارين أدى إلى مقتل 45 مدنياً.",
     [("مدينة خان شيخون", "LOC"), ("لهجوم", "EVENT"), ("بغاز السارين", "WEAPON"), ("مقتل 45 مدنياً", "KILLED")],
     [("chemical_attack", None, (45, None, None, True))]),
    ("سقطت قذائف هاون على حي الميدان.",
     [("قذائف هاون", "WEAPON"), ("حي الميدان", "LOC")],
     []),
    ("قتل 5 أشخاص في حلب.",
     [("5 أشخاص", "KILLED"), ("حلب", "LOC")],
     [("attack", None, (5, None, None, None))]),
    ("في محاولة من التنظيم السيطرة على المطار.",
     [("التنظيم", "ACTOR"), ("السيطرة", "EVENT"), ("المطار", "FAC")],
     []),
]


@pytest.mark.parametrize(("text", "spans", "expected"), SENTENCES, ids=[s[0][:25] for s in SENTENCES])
def test_incidents_from_gold_spans(text: str, spans, expected) -> None:
    report = build_report(text, _ents(text, spans))
    got = []
    for inc in report.incidents:
        k = inc.killed
        got.append((
            inc.type,
            None if inc.count is None or inc.count.value is None else (inc.count.value, inc.count.qualifier),
            None if k is None else (k.total.value, k.women, k.children, k.civilians),
        ))
    assert got == expected


@pytest.mark.parametrize(
    ("trigger", "context", "expected"),
    [
        ("غارة", [], "airstrike"), ("قصف", ["الطيران الحربي"], "airstrike"), ("قصف", ["قذائف الهاون"], "shelling"),
        ("قصف مدفعي", [], "shelling"), ("استهدف", ["برميل متفجر"], "airstrike"), ("تفجير", [], "explosion"),
        ("هجوم", ["غاز الكلور"], "chemical_attack"), ("اشتباكات", ["الدبابات"], "armed_clash"), ("سيطرة", [], "territory_change"),
        ("اغتيال", [], "attack"), ("اختطاف", [], "arrest_abduction"), ("محاصرة", [], "other"), ("مجزرة", [], "attack"),
        # Multi-word cues match across the trigger's words.
        ("لإطلاق نار", [], "attack"), ("إطلاق النار", [], "attack"), ("تبادل لإطلاق النار", [], "armed_clash"), ("هجوم", ["بغازات سامة"], "chemical_attack"),
    ],
)
def test_incident_type_from_trigger_and_context(trigger: str, context: list[str], expected: str) -> None:
    assert incident_type(trigger, context) == expected


@pytest.mark.parametrize(
    ("trigger", "context", "sentence", "expected"),
    [
        # A trigger with a cue of its own takes its kind from the sentence that describes it ...
        ("الهجوم", [], ["شنت الطائرات الحربية غارات على البلدة"], "airstrike"),
        ("هاجمت", [], ["بقذائف الهاون"], "shelling"),
        ("الهجوم", ["الطيران الحربي"], ["بغاز الكلور"], "chemical_attack"),
        # ... a trigger with none only from its own clause, weapons and actors.
        ("التعذيب", ["الحكومة السورية"], ["الهجمات الكيماوية والقصف العشوائي"], "other"),
        ("الحرب العالمية الثانية", [], ["قصفت الطائرات المدينة"], "other"),
        ("العملية", ["الطيران الحربي"], ["والقصف"], "airstrike"),
        # Cue verbs and nouns beyond the first list.
        ("مهاجمة", [], [], "attack"), ("الاختفاء القسري", ["الحكومة السورية"], [], "arrest_abduction"), ("يُستهدف", ["صاروخ"], [], "shelling"), ("الاستيلاء", [], [], "territory_change"),
        # Present-tense forms of the territorial verbs.
        ("لينسحب", [], [], "territory_change"), ("تستعيد", [], [], "territory_change"), ("يقتحمون", [], [], "territory_change"), ("تتقدم", [], [], "territory_change"),
        ("واستولت", ["الطيران الحربي"], [], "territory_change"), ("غنمها", [], ["بتفجير"], "territory_change"), ("اجتاح", [], [], "territory_change"),
        # A ground or counter offensive is a battle even beside artillery or a bombing in the same sentence ...
        ("هجوماً برياً واسعاً", ["قوات النظام"], ["بعد تمهيد مدفعي وصاروخي"], "armed_clash"),
        ("هجوماً معاكساً", [], ["تفجير عربة مفخخة"], "armed_clash"),
        # ... and a bare "هجوم" still takes its kind from the sentence; "بريطانية" is no ground offensive.
        ("الهجوم", [], ["بقذائف الهاون"], "shelling"), ("الغارات البريطانية", [], [], "airstrike"),
    ],
)
def test_incident_type_reads_the_sentence_only_for_triggers_with_a_cue(
    trigger: str, context: list[str], sentence: list[str], expected: str
) -> None:
    assert incident_type(trigger, context, sentence) == expected


def test_exports_validate(gold_example: dict) -> None:
    report = _report(gold_example)
    rows = list(csv.DictReader(io.StringIO(to_acled_csv([report], ["dez"]))))
    assert rows and list(rows[0].keys()) == ACLED_COLUMNS
    assert rows[-1]["sub_event_type"] == "Shelling/artillery/missile attack" and rows[-1]["fatalities"] == "6"
    assert rows[-1]["event_date"] == "2016-10-02" and "قذائف الهاون" in rows[-1]["notes"]
    gj = json.loads(json.dumps(to_geojson([report])))
    geojson = pytest.importorskip("geojson")
    obj = geojson.loads(json.dumps(gj))
    assert obj.is_valid and gj["features"]
    for f in gj["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 30 < lon < 50 and 10 < lat < 40
    table = incident_table([report])
    assert "airstrike" in table
    # a gazetteer row without an English name shows its Arabic one, never empty brackets
    assert "[]" not in table and "[رصافة]" in table
