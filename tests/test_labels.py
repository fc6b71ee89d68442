"""BIO tags: repair, spans and their inverse."""

from __future__ import annotations

import pytest

from conflictner.labels import ENTITY_LABELS, bio_from_spans, bio_tags, repair_bio, spans_from_bio

REPAIR_CASES = [
    (["O", "I-LOC"], ["O", "B-LOC"]),
    (["B-LOC", "I-PER"], ["B-LOC", "B-PER"]),
    (["B-LOC", "I-LOC", "I-LOC"], ["B-LOC", "I-LOC", "I-LOC"]),
    (["I-EVENT", "I-EVENT", "O", "I-EVENT"], ["B-EVENT", "I-EVENT", "O", "B-EVENT"]),
    (["UNK", "I-LOC"], ["UNK", "B-LOC"]),
    ([], []),
]


@pytest.mark.parametrize(("tags", "fixed"), REPAIR_CASES)
def test_i_after_o_or_another_type_starts_a_new_entity(tags: list[str], fixed: list[str]) -> None:
    assert repair_bio(tags) == fixed


def test_spans_round_trip_through_bio() -> None:
    spans = [(0, 2, "LOC"), (2, 3, "PER"), (5, 8, "KILLED")]
    assert spans_from_bio(bio_from_spans(9, spans)) == spans


def test_overlapping_spans_are_refused() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        bio_from_spans(5, [(0, 3, "LOC"), (2, 4, "PER")])


def test_tag_list_has_o_first_and_both_prefixes() -> None:
    tags = bio_tags()
    assert tags[0] == "O" and len(tags) == 1 + 2 * len(ENTITY_LABELS) == 21
