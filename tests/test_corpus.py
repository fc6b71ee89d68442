"""Annotation files: reading, validation with locations, Markdown sources, auxiliary corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictner.auxdata import MAPPINGS, read_aux
from conflictner.corpus import (
    Document,
    document_from_spans,
    held_out_overlap,
    load_corpus,
    markdown_to_text,
    read_conll,
    validate_corpus,
    without_sentences_of,
)
from conflictner.labels import UNKNOWN


def test_fixture_corpus_is_valid(tiny_corpus: Path) -> None:
    assert validate_corpus(tiny_corpus) == []


def _break(path: Path, lineno: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[lineno - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def _token_line(path: Path, nth: int = 1) -> int:
    n = 0
    for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line and not line.startswith("#"):
            n += 1
            if n == nth:
                return i
    raise AssertionError("no token lines")


BREAKAGES = [
    ("bad tag", lambda tok: f"{tok}\tB-BOGUS", "unknown tag"),
    ("I after O", lambda tok: f"{tok}\tI-LOC", "IOB2"),
    ("changed token", lambda tok: "كلمة\tO", "tokenizes to"),
    ("no tag", lambda tok: tok, "expected 'token<TAB>tag'"),
]


@pytest.mark.parametrize(("name", "edit", "message"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_a_broken_copy_fails_with_file_and_line(tiny_corpus: Path, name: str, edit, message: str) -> None:
    path = tiny_corpus / "dev" / "dev-1.conll"
    ln = _token_line(path, 2)
    tok = path.read_text(encoding="utf-8").split("\n")[ln - 1].split("\t")[0]
    _break(path, ln, edit(tok))
    problems = validate_corpus(tiny_corpus)
    assert problems, name
    assert any(p.path == str(path) and p.line == ln and message in p.message for p in problems), [str(p) for p in problems]


def test_duplicate_document_across_splits_is_reported(tiny_corpus: Path) -> None:
    src = tiny_corpus / "dev" / "dev-1.conll"
    (tiny_corpus / "train" / "dev-1-copy.conll").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    problems = validate_corpus(tiny_corpus)
    assert any("also in" in p.message for p in problems)


def test_missing_text_and_empty_document_are_reported(tiny_corpus: Path) -> None:
    (tiny_corpus / "texts" / "test-1.txt").unlink()
    (tiny_corpus / "dev" / "empty.conll").write_text("# doc_id = empty\n# source = x\n", encoding="utf-8")
    messages = [p.message for p in validate_corpus(tiny_corpus)]
    assert any("no text file" in m for m in messages)
    assert any("empty" in m for m in messages)


def test_char_spans_come_back_from_tags(tiny_corpus: Path) -> None:
    doc = load_corpus(tiny_corpus)["dev"][0]
    spans = doc.char_spans()
    assert doc.text is not None
    assert [doc.text[s:e] for s, e, _ in spans][:3] == ["قصف", "الطيران الحربي الروسي", "بلدة حيش"]


def test_span_off_token_boundaries_is_reported_not_dropped() -> None:
    text = "قصف على حلب اليوم"
    problems: list[str] = []
    doc = document_from_spans("d", text, [(0, 3, "EVENT"), (9, 11, "LOC")], problems=problems)
    assert len(problems) == 1 and "9-11" in problems[0] and "token boundaries" in problems[0]
    with pytest.raises(ValueError, match="token boundaries"):
        document_from_spans("d", text, [(9, 11, "LOC")])
    assert doc.tags[0] == "B-EVENT"


def test_markdown_becomes_plain_text() -> None:
    md = '---\ntitle: "عنوان التقرير"\ndesc: "وصف قصير"\nimage: "x.png"\n---\n\n## قسم\n_الموقع: إدلب_\n![img](http://x/y.png)\n[رابط مهم](https://example.org) و **غامق**\\.\n'
    assert markdown_to_text(md) == "عنوان التقرير\nوصف قصير\n\nقسم\nالموقع: إدلب\n\nرابط مهم و غامق.\n"


def test_conll_reader_accepts_space_separated_files(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("حلب B-LOC\nقصف O\n\nدمشق B-LOC\n", encoding="utf-8")
    docs = read_conll(p)
    assert len(docs) == 1 and docs[0].tags == ["B-LOC", "O", "B-LOC"] and len(docs[0].sentences) == 2


AUX_CASES = [
    ("anercorp", "حلب B-LOC\nالجيش B-ORG\nاعلن O\n", [("حلب", "B-LOC"), ("الجيش", UNKNOWN), ("اعلن", "O")]),
    ("aqmar", "محمد B-PER\nقتل O\nفي O\n", [("محمد", "B-PER"), ("قتل", UNKNOWN), ("في", "O")]),
    ("fane", "\u200eو\tO\n\u200eالشرطة\tB-Police\n\u200eب\tO\n\u200eالصواريخ\tB-Projectile\n", [("والشرطة", "B-ACTOR"), ("بالصواريخ", "B-WEAPON")]),
    ("wojood", "في O\nيناير B-DATE\n2020 I-DATE\nالحكومة B-ORG\n", [("في", "O"), ("يناير", "B-TIME"), ("2020", "I-TIME"), ("الحكومة", UNKNOWN)]),
    # the project's own labels (a silver corpus) are read as they are, conflict words included
    ("conll", "قصف\tB-EVENT\nالجيش\tB-ACTOR\nحلب\tB-LOC\n", [("قصف", "B-EVENT"), ("الجيش", "B-ACTOR"), ("حلب", "B-LOC")]),
]


@pytest.mark.parametrize(("fmt", "content", "expected"), AUX_CASES, ids=[c[0] for c in AUX_CASES])
def test_auxiliary_corpora_map_soundly_and_mark_the_rest_unknown(tmp_path: Path, fmt: str, content: str, expected) -> None:
    p = tmp_path / "aux.txt"
    p.write_text(content, encoding="utf-8")
    doc = read_aux(p, fmt)[0]
    assert list(zip(doc.tokens, doc.tags)) == expected


def test_mapping_tables_never_map_ambiguous_organisations() -> None:
    for fmt in ("anercorp", "aqmar", "wojood"):
        assert "ORG" not in MAPPINGS[fmt]
    assert "Government" not in MAPPINGS["fane"] and "Group" not in MAPPINGS["fane"]


def _doc(doc_id: str, *sentences: str) -> Document:
    return Document(doc_id, "", [[(w, "O") for w in s.split()] for s in sentences])


SHARED = "قصفت الطائرات الحربية سوق المدينة صباح اليوم"  # 7 tokens


@pytest.mark.parametrize(
    ("held_out", "expected"),
    [
        (_doc("t", SHARED, "انتهى التقرير هنا"), [("test", "t", 1, 7, 10, ("a",))]),
        # the same sentence spelt with hamza/ta marbuta variants and a diacritic is the same sentence
        (_doc("t", "قَصفت الطائرات الحربيه سوق المدينه صباح اليوم"), [("test", "t", 1, 7, 7, ("a",))]),
        (_doc("t", "قصفت الطائرات"), []),  # shorter than min_tokens: headings and list items repeat by nature
        (_doc("t", "اشتباكات عنيفة في ريف المدينة الشمالي امس"), []),
    ],
)
def test_held_out_overlap_counts_sentences_a_test_document_shares_with_train(held_out: Document, expected: list) -> None:
    corpus = {"train": [_doc("a", SHARED), _doc("b", "قصفت الطائرات")], "test": [held_out]}
    got = [(o.split, o.doc_id, o.sentences, o.tokens, o.of_tokens, o.train_docs) for o in held_out_overlap(corpus)]
    assert got == expected


def test_unseen_only_copies_drop_the_sentences_seen_in_train_and_keep_the_rest() -> None:
    held_out = _doc("t", "انتهى التقرير هنا", SHARED, "اشتباكات عنيفة في ريف المدينة الشمالي امس")
    held_out.text = "raw text"
    untouched = _doc("u", "اشتباكات عنيفة في ريف المدينة الشمالي امس")
    (kept, other), n_sent, n_tok = without_sentences_of([held_out, untouched], [_doc("a", SHARED)])
    assert (n_sent, n_tok) == (1, 7)
    assert [" ".join(t for t, _ in s) for s in kept.sentences] == ["انتهى التقرير هنا", "اشتباكات عنيفة في ريف المدينة الشمالي امس"]
    assert kept.text is None  # the kept sentences are no longer contiguous in the raw text
    assert other is untouched
