"""The label set and BIO helpers.

The ten entity labels of ``annotation-scheme.md`` and the BIO tag list the
model predicts. ``UNKNOWN`` marks tokens of auxiliary corpora whose original
label has no sound mapping: training masks them out of the loss instead of
teaching the model that they are ``O``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "ENTITY_LABELS",
    "UNKNOWN",
    "bio_tags",
    "spans_from_bio",
    "repair_bio",
    "bio_from_spans",
]

ENTITY_LABELS: tuple[str, ...] = (
    "ACTOR",
    "PER",
    "ORG",
    "LOC",
    "FAC",
    "WEAPON",
    "EVENT",
    "KILLED",
    "INJURED",
    "TIME",
)

#: Tag for tokens whose gold label is unknown (masked in training and evaluation).
UNKNOWN = "UNK"


def bio_tags(labels: Iterable[str] = ENTITY_LABELS) -> list[str]:
    """The BIO tag list for a label set, ``O`` first.

    Example:
        >>> bio_tags(["LOC", "PER"])
        ['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER']
    """
    tags = ["O"]
    for label in labels:
        tags += [f"B-{label}", f"I-{label}"]
    return tags


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Make a tag sequence valid IOB2.

    An ``I-X`` that follows ``O`` or a tag of another type starts a new entity
    (it becomes ``B-X``), which is how conlleval reads such sequences.

    Example:
        >>> repair_bio(["O", "I-LOC", "I-LOC", "I-PER", "B-PER"])
        ['O', 'B-LOC', 'I-LOC', 'B-PER', 'B-PER']
    """
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:] or prev == UNKNOWN):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def spans_from_bio(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(first, last_exclusive, label)`` of an IOB2 sequence.

    The sequence is repaired first, so stray ``I-`` tags never get lost.

    Example:
        >>> spans_from_bio(["B-LOC", "I-LOC", "O", "I-PER"])
        [(0, 2, 'LOC'), (3, 4, 'PER')]
    """
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(repair_bio(tags)):
        if tag.startswith("B-") or tag in ("O", UNKNOWN):
            if start is not None:
                spans.append((start, i, label))
                start = None
            if tag.startswith("B-"):
                start, label = i, tag[2:]
    if start is not None:
        spans.append((start, len(tags), label))
    return spans


def bio_from_spans(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags for ``n`` tokens from token spans (the inverse of ``spans_from_bio``).

    Raises:
        ValueError: If spans overlap or fall outside ``0..n``.
    """
    tags = ["O"] * n
    for first, last, label in sorted(spans):
        if not 0 <= first < last <= n:
            raise ValueError(f"token span ({first}, {last}) outside 0..{n}")
        if any(t != "O" for t in tags[first:last]):
            raise ValueError(f"token span ({first}, {last}, {label}) overlaps another span")
        tags[first] = f"B-{label}"
        for i in range(first + 1, last):
            tags[i] = f"I-{label}"
    return tags
