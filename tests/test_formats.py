"""Character-span formats: lossless round trips and reported misalignments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflictner.corpus import load_corpus
from conflictner.formats import READERS, WRITERS, read_jsonl


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip_is_lossless(tiny_corpus: Path, tmp_path: Path, fmt: str) -> None:
    docs = [d for split in load_corpus(tiny_corpus).values() for d in split]
    out = tmp_path / f"out.{fmt}"
    WRITERS[fmt](docs, out)
    back = READERS[fmt](out)
    assert [d.text for d in back] == [d.text for d in docs]
    assert [d.sentences for d in back] == [d.sentences for d in docs]
    assert [d.char_spans() for d in back] == [d.char_spans() for d in docs]


def test_misaligned_and_overlapping_spans_are_reported(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    text = "قصف الطيران حلب"
    rec = {"id": "x", "text": text, "entities": [
        {"start": 0, "end": 3, "label": "EVENT"},
        {"start": 5, "end": 11, "label": "ACTOR"},
        {"start": 0, "end": 11, "label": "ACTOR"},
        {"start": 12, "end": 99, "label": "LOC"},
    ]}
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    problems: list[str] = []
    docs = read_jsonl(p, problems=problems)
    assert docs[0].tags == ["B-EVENT", "O", "O"]
    assert len(problems) == 3
    assert any("5-11" in m and "token boundaries" in m for m in problems)
    assert any("overlaps" in m for m in problems)
    assert any("outside the text" in m for m in problems)
    with pytest.raises(ValueError):
        read_jsonl(p)


def test_label_studio_predictions_are_readable(tmp_path: Path) -> None:
    p = tmp_path / "ls.json"
    text = "قصف على حلب"
    p.write_text(json.dumps([{"data": {"text": text}, "predictions": [{"result": [
        {"type": "labels", "value": {"start": 8, "end": 11, "text": "حلب", "labels": ["LOC"]}}]}]}], ensure_ascii=False), encoding="utf-8")
    doc = READERS["label-studio"](p)[0]
    assert doc.char_spans() == [(8, 11, "LOC")]


def test_doccano_entities_form_is_readable(tmp_path: Path) -> None:
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps({"text": "قصف على حلب", "entities": [{"start_offset": 0, "end_offset": 3, "label": "EVENT"}]}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert READERS["doccano"](p)[0].char_spans() == [(0, 3, "EVENT")]


def test_invalid_json_line_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"id": 1, "text": "a", "entities": []}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"x.jsonl:2"):
        read_jsonl(p)
