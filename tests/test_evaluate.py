"""Scores and error kinds from gold and predicted tag sequences (no model needed)."""

from __future__ import annotations

import dataclasses

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
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.documents = 2  # type: ignore[misc]  # results are frozen


def _calibration_case(tiny_parser: object, monkeypatch: pytest.MonkeyPatch) -> list:
    """One gold document, "قصف على حلب" with حلب a LOC, and word probabilities read from a table.

    على is an unsure false positive (B-LOC 0.65), حلب a sure true one (B-LOC 0.8).
    """
    import numpy as np

    from conflictner.corpus import Document

    tags = list(tiny_parser.tags)
    probs = np.zeros((3, len(tags)), dtype=np.float32)
    for i, p_loc in enumerate((0.1, 0.65, 0.8)):
        probs[i, tags.index("B-LOC")] = p_loc
        probs[i, tags.index("O")] = 1 - p_loc
    monkeypatch.setattr(tiny_parser, "word_probabilities", lambda texts, words=None, progress=None: [probs])
    return [Document("d", "test", [[("قصف", "O"), ("على", "O"), ("حلب", "B-LOC")]], text="قصف على حلب")]


@pytest.mark.parametrize(
    ("weights", "chosen"),
    [
        ((1.0, 2.0, 5.0), 2.0),  # 1: one spurious span; 2: exact; 5: the true span is lost
        ((1.0, 1.5, 2.0, 3.0), 2.0),  # 2 and 3 tie at F1 1: the weight nearer 1 wins
        ((1.0,), 1.0),
    ],
)
def test_calibration_chooses_the_outside_weight_with_the_best_dev_f1(
    tiny_parser: object, monkeypatch: pytest.MonkeyPatch, weights: tuple[float, ...], chosen: float
) -> None:
    from conflictner.evaluate import calibrate_outside_weight

    docs = _calibration_case(tiny_parser, monkeypatch)
    cal = calibrate_outside_weight(tiny_parser, docs, weights)
    assert cal.outside_weight == chosen
    assert list(cal.f1_by_weight) == list(weights)
    assert cal.f1_by_weight[1.0] == pytest.approx(2 / 3, abs=1e-4)  # scores are rounded to 4 places
    assert cal.dev["f1"] == cal.f1_by_weight[chosen] and cal.dev["precision"] <= 1
    if 5.0 in weights:
        assert cal.f1_by_weight[5.0] == 0


@pytest.mark.parametrize(("weights", "message"), [((), "positive"), ((1.0, 0.0), "positive"), ((1.0, -2.0), "positive")])
def test_calibration_refuses_weights_that_are_not_positive(tiny_parser: object, monkeypatch: pytest.MonkeyPatch,
                                                            weights: tuple[float, ...], message: str) -> None:
    from conflictner.evaluate import calibrate_outside_weight

    with pytest.raises(ValueError, match=message):
        calibrate_outside_weight(tiny_parser, _calibration_case(tiny_parser, monkeypatch), weights)
    with pytest.raises(ValueError, match="at least one"):
        calibrate_outside_weight(tiny_parser, [], (1.0,))
