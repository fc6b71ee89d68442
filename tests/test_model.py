"""The shipped model on the shared example report (``pytest -m model``)."""

from __future__ import annotations

import json

import pytest

import conflictner
from conflictner.model import DEFAULT_MODEL_DIR

from .conftest import example_text

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def report(gold_example: dict):
    return conflictner.parse(example_text(), report_date="2016-10-02")


def test_shipped_model_is_small_and_safe() -> None:
    files = {p.name for p in DEFAULT_MODEL_DIR.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md", "train_report.json"} <= files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pth", ".pkl"))]
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir())
    assert size <= 60 * 1024 * 1024
    # Load time is measured by benchmarks/load_time.py, not asserted in a unit test.
    assert conflictner.load().tags[0] == "O"


def test_entities_have_valid_offsets(report) -> None:
    assert report.entities
    for e in report.entities:
        assert report.text[e.start : e.end] == e.text and 0 <= e.score <= 1


def test_entity_f1_on_the_example_report(report, gold_example: dict) -> None:
    gold = {(e["start"], e["end"], e["label"]) for e in gold_example["entities"]}
    pred = {(e.start, e.end, e.label) for e in report.entities}
    tp = len(gold & pred)
    f1 = 2 * tp / (len(gold) + len(pred))
    print(f"example report entity F1 {f1:.3f} (tp {tp}, gold {len(gold)}, pred {len(pred)})")
    assert f1 >= 0.75


def test_key_incidents_of_the_example_report(report) -> None:
    incs = report.incidents
    types = [i.type for i in incs]
    assert "armed_clash" in types and "territory_change" in types and "airstrike" in types and "shelling" in types
    shelling = [i for i in incs if i.type == "shelling"]
    assert any(i.killed and i.killed.total.value == 6 and i.killed.women == 1 and i.killed.children == 2 for i in shelling)
    assert any(i.count and i.count.value == 25 and i.count.qualifier == "at_least" for i in shelling)
    air = [i for i in incs if i.type == "airstrike"]
    assert any(i.count and i.count.value == 30 and i.count.qualifier == "at_least" for i in air)
    footer = report.text.index("نحن مجموعة")
    assert all(i.start < footer for i in incs)
    json.loads(report.to_json())


@pytest.mark.xfail(
    reason="known shortfall of the shipped model (MODEL_CARD.md): the four captured units are FAC, but the capture "
    "word of one (بسيطرة) is missed, so كتيبة الإشارة joins the clash incident instead of a territory_change",
    strict=False,
)
def test_captured_positions_of_the_example_report(report) -> None:
    captured = {p.entity.text for i in report.incidents if i.type == "territory_change" for p in i.places}
    assert {"كتيبة الإشارة", "سرية جنيد", "كتيبة الدبابات"} <= captured
