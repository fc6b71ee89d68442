"""Choosing word tags from probabilities: constrained Viterbi against word-by-word argmax."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conflictner.decode import viterbi_bio, words_to_entities
from conflictner.labels import bio_tags, repair_bio
from conflictner.text import tokenize

TAGS = bio_tags(["LOC", "KILLED"])  # O, B-LOC, I-LOC, B-KILLED, I-KILLED


def _probs(rows: list[dict[str, float]]) -> np.ndarray:
    """Probability rows from {tag: p}; the rest of each row's mass goes to O."""
    out = np.zeros((len(rows), len(TAGS)))
    for i, row in enumerate(rows):
        for tag, p in row.items():
            out[i, TAGS.index(tag)] = p
        out[i, 0] += 1.0 - out[i].sum()
    return out


@pytest.mark.parametrize(
    ("rows", "starts", "expected"),
    [
        # a valid argmax is returned unchanged
        ([{"B-LOC": 0.9}, {"I-LOC": 0.9}, {}], [], ["B-LOC", "I-LOC", "O"]),
        # O then a confident I-: the span opens one word earlier instead of losing its head
        ([{"B-LOC": 0.45}, {"I-LOC": 0.9}], [], ["B-LOC", "I-LOC"]),
        # a label switch in mid-span is settled for the whole span
        ([{"B-KILLED": 0.9}, {"I-KILLED": 0.45, "I-LOC": 0.5}, {"I-KILLED": 0.9}], [], ["B-KILLED", "I-KILLED", "I-KILLED"]),
        # no I- at a sentence start, however confident
        ([{"B-LOC": 0.9}, {"I-LOC": 0.6, "B-LOC": 0.3}], [1], ["B-LOC", "B-LOC"]),
        # an I- with too little support for its head becomes O, not a new entity
        ([{"B-LOC": 0.05}, {"I-LOC": 0.4}], [], ["O", "O"]),
    ],
)
def test_viterbi_finds_the_best_valid_sequence(rows: list[dict[str, float]], starts: list[int], expected: list[str]) -> None:
    assert [TAGS[i] for i in viterbi_bio(_probs(rows), TAGS, starts)] == expected


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 12), st.just(len(TAGS))), elements=st.floats(0.001, 1.0)))
def test_viterbi_output_is_always_valid_iob2(raw: np.ndarray) -> None:
    probs = raw / raw.sum(axis=1, keepdims=True)
    seq = [TAGS[i] for i in viterbi_bio(probs, TAGS)]
    assert repair_bio(seq) == seq
    # and it scores at least as high as the repaired argmax (equal when the argmax is valid)
    def score(tags: list[str]) -> float:
        return float(np.log(probs[np.arange(len(tags)), [TAGS.index(t) for t in tags]]).sum())

    assert score(seq) >= score(repair_bio([TAGS[i] for i in probs.argmax(axis=1)])) - 1e-9


def test_viterbi_of_no_words_is_empty() -> None:
    assert viterbi_bio(np.zeros((0, len(TAGS))), TAGS).shape == (0,)


@pytest.mark.parametrize(("decoding", "expected"), [("viterbi", ["مقتل 6 مدنيين"]), ("argmax", ["6 مدنيين"])])
def test_decoding_choice_reaches_the_entities(decoding: str, expected: list[str]) -> None:
    text = "مقتل 6 مدنيين"
    probs = _probs([{"B-KILLED": 0.45}, {"I-KILLED": 0.9}, {"I-KILLED": 0.9}])
    ents = words_to_entities(text, tokenize(text), probs, TAGS, decoding=decoding)
    assert [e.text for e in ents] == expected
    assert all(text[e.start:e.end] == e.text for e in ents)


def test_unknown_decoding_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="decoding"):
        words_to_entities("حلب", tokenize("حلب"), _probs([{}]), TAGS, decoding="beam")


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (1.0, ["على", "حلب"]),  # as predicted: a 0.6 B-LOC is tagged
        (2.0, ["حلب"]),  # O at 0.4 x 2 now beats the unsure 0.6, not the sure 0.8
        (5.0, []),  # and with 0.2 x 5, the sure one too
        (0.5, ["قصف", "على", "حلب"]),  # below 1 favours recall
    ],
)
def test_outside_weight_trades_recall_for_precision(weight: float, expected: list[str]) -> None:
    text = "قصف على حلب"
    probs = _probs([{"B-LOC": 0.45}, {"B-LOC": 0.6}, {"B-LOC": 0.8}])
    ents = words_to_entities(text, tokenize(text), probs, TAGS, outside_weight=weight)
    assert [e.text for e in ents] == expected
    # the score stays the model's own probability of the chosen tag
    assert {e.text: e.score for e in ents}.get("حلب", 0.8) == pytest.approx(0.8)
