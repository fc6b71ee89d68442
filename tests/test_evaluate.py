"""Scores and error kinds from gold and predicted tag sequences (no model needed)."""

from __future__ import annotations

import pytest

from conflictner.evaluate import ERROR_KINDS, Evaluation, error_kinds, score_documents


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        (["B-LOC", "I-LOC"], ["B-LOC", "I-LOC"], {}),
        (["B-LOC", "I-LOC", "O"], ["B-LOC", "O", "O"], {"LOC": {"boundary": 1}}),
        (["B-LOC", "O"], ["B-LOC", "I-LOC"], {"LOC": {"boundary": 1}}),
        (["B-LOC", "I-LOC"], ["B-ORG", "I-ORG"], {"LOC": {"label": 1}}),  # exact span, other label
        (["B-LOC", "I-LOC"], ["O", "B-ORG"], {"LOC": {"label": 1}}),
        (["B-KILLED", "O"], ["O", "O"], {"KILLED": {"missed": 1}}),
        (["O", "O"], ["O", "B-WEAPON"], {"WEAPON": {"spurious": 1}}),
        (["O", "O"], ["O", "I-WEAPON"], {"WEAPON": {"spurious": 1}}),  # an ill-formed I- is repaired to a span
        (["B-LOC", "UNK"], ["B-LOC", "O"], {}),  # unknown gold tags count as O
    ],
)
def test_error_kinds_tell_boundaries_from_labels_misses_and_spurious_spans(gold: list[str], pred: list[str], expected: dict) -> None:
    assert error_kinds([gold], [pred]) == expected


def test_error_kinds_cover_every_strict_error() -> None:
    gold = [["B-LOC", "I-LOC", "O", "B-PER", "O", "B-TIME"], ["B-EVENT", "O", "O"]]
    pred = [["B-LOC", "O", "B-ORG", "B-ORG", "O", "B-TIME"], ["O", "O", "B-ACTOR"]]
    per_label, micro, *_ = score_documents(gold, pred)
    errors = error_kinds(gold, pred)
    gold_missed = sum(n for lab, kinds in errors.items() for k, n in kinds.items() if k != "spurious")
    # every gold span is either matched exactly or counted once
    tp = round(micro["recall"] * sum(m["support"] for m in per_label.values()))
    assert tp + gold_missed == sum(m["support"] for m in per_label.values())
    assert {k for kinds in errors.values() for k in kinds} <= set(ERROR_KINDS)


def test_the_table_sums_error_kinds_over_labels() -> None:
    ev = Evaluation(per_label={}, micro={"precision": 0, "recall": 0, "f1": 0}, macro={"precision": 0, "recall": 0, "f1": 0},
                    conlleval_micro={"precision": 0, "recall": 0, "f1": 0}, partial={"precision": 0, "recall": 0, "f1": 0},
                    confusion={}, incidents={}, documents=1, tokens=3,
                    errors={"LOC": {"boundary": 2}, "PER": {"boundary": 1, "missed": 1}})
    assert "errors: boundary=3, label=0, missed=1, spurious=0" in ev.table()
