"""From subword logits to word tags and entities: windows, aggregation, BIO repair.

A report of any length is tokenized once into the scheme's words, each word
into subwords; the subword sequence is cut into overlapping windows that
start and end on word boundaries and fit the model. Every word takes its
prediction from the window in which it has the most context on both sides
(the "maximum context" rule of long-document QA), so an entity that crosses a
window edge is predicted from a window that holds it whole. Nothing is
truncated: every word of the text gets a tag.

Word-level scores come from the word's *first* subword (``aggregation="first"``,
matching the default training, where the other subwords are masked with ``-100``),
or from the mean of its subwords' probabilities (``aggregation="mean"``, matching
training with ``subword_labels = "all"``, where every subword carries the tag).

Tags are chosen jointly, not word by word: a Viterbi search finds the most
probable tag sequence that is valid IOB2 (``I-X`` only after ``B-X`` or ``I-X``,
never at a sentence start). The classifier is trained word by word, so its
argmax can open a span with ``I-`` or switch label in mid-span; repairing that
afterwards keeps the wrong half, while the constrained search weighs the whole
span (``decoding="argmax"`` keeps the word-by-word choice with repair).

Before the search, the ``O`` probability can be multiplied by an *outside
weight*: above 1 the parser tags a word only when the model is surer, trading
recall for precision. The classifier is trained with a loss that treats every
tag alike, while F1 punishes a spurious span and a missed one alike, so the best
weight is measured on held-out documents (``conflictner calibrate``) and stored
with the model; the entity scores stay the model's own probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .labels import spans_from_bio
from .results import Entity
from .text import Token

__all__ = ["Window", "plan_windows", "word_subwords", "viterbi_bio", "words_to_entities", "MAX_SUBWORDS_PER_WORD", "DECODINGS"]

#: Subwords of one word fed to the model; the rest of a pathologically long
#: "word" (a URL, a run of symbols) adds nothing to its first-subword label.
MAX_SUBWORDS_PER_WORD = 16

#: How word tags are chosen from their probabilities (see the module docstring).
DECODINGS = ("viterbi", "argmax")


def word_subwords(tokenizer: object, words: Sequence[str]) -> list[list[int]]:
    """Subword ids of each word, encoded word by word (as in training).

    Each word is encoded on its own, the way ``is_split_into_words`` does, but
    through the fast tokenizer's backend so that no length limit applies to a
    whole report. At most ``MAX_SUBWORDS_PER_WORD`` ids are kept per word.
    """
    if not words:
        return []
    backend = tokenizer.backend_tokenizer  # type: ignore[attr-defined]
    encs = backend.encode_batch(list(words), add_special_tokens=False)
    return [e.ids[:MAX_SUBWORDS_PER_WORD] for e in encs]


@dataclass(frozen=True, slots=True)
class Window:
    """A slice ``[first, last)`` of a document's words that fits the model."""

    doc: int
    first: int
    last: int
    n_subwords: int


def plan_windows(doc: int, word_lengths: Sequence[int], capacity: int, stride: int) -> list[Window]:
    """Cut a document's words into overlapping windows of at most ``capacity`` subwords.

    Args:
        doc: Index of the document (carried into each window).
        word_lengths: Subword count of each word (already capped).
        capacity: Subwords a window may hold (model length minus special tokens).
        stride: Subwords of overlap wanted between consecutive windows.

    Returns:
        Windows covering every word; consecutive windows overlap by about
        ``stride`` subwords (never less than one word unless a window holds only one).

    Example:
        >>> [(w.first, w.last) for w in plan_windows(0, [1] * 10, capacity=4, stride=2)]
        [(0, 4), (2, 6), (4, 8), (6, 10)]
    """
    if capacity < 1:
        raise ValueError("window capacity must be at least 1 subword")
    stride = max(0, min(stride, capacity // 2))
    n = len(word_lengths)
    windows: list[Window] = []
    first = 0
    while first < n:
        total, last = 0, first
        while last < n and (total + word_lengths[last] <= capacity or last == first):
            total += word_lengths[last]
            last += 1
        windows.append(Window(doc, first, last, total))
        if last >= n:
            break
        # step back from `last` until about `stride` subwords overlap
        back, nxt = 0, last
        while nxt - 1 > first and back + word_lengths[nxt - 1] <= stride:
            nxt -= 1
            back += word_lengths[nxt]
        first = nxt
    return windows


def context_weight(position: int, first: int, last: int) -> int:
    """How much context a word at ``position`` has inside window ``[first, last)``."""
    return min(position - first, last - 1 - position)


def viterbi_bio(probs: np.ndarray, tags: Sequence[str], sentence_starts: Sequence[int] = ()) -> np.ndarray:
    """The most probable valid IOB2 tag sequence (indices into ``tags``).

    Transitions carry no learned weights: invalid ones (``O → I-X``,
    ``B-X → I-Y``, ``I-`` at a sentence start) are forbidden, all others free,
    so where the argmax is already valid it is returned unchanged.

    Args:
        probs: ``(n_words, n_tags)`` probabilities.
        tags: Tag names for the columns; ``O`` and ``B-`` tags are always allowed.
        sentence_starts: Word indices where no ``I-`` may continue a span.

    Example:
        >>> tags = ["O", "B-LOC", "I-LOC"]
        >>> p = np.array([[0.5, 0.1, 0.4], [0.1, 0.1, 0.8]])   # argmax: O I-LOC
        >>> [tags[i] for i in viterbi_bio(p, tags)]
        ['B-LOC', 'I-LOC']
    """
    n, n_tags = probs.shape
    if n == 0:
        return np.zeros(0, dtype=int)
    logp = np.log(np.clip(probs, 1e-12, None))
    opens = np.array([not t.startswith("I-") for t in tags])
    allowed = np.tile(opens, (n_tags, 1))  # allowed[prev, cur]
    for j, t in enumerate(tags):
        if t.startswith("I-"):
            for i, prev in enumerate(tags):
                allowed[i, j] = prev[2:] == t[2:] and prev[:2] in ("B-", "I-")
    trans = np.where(allowed, 0.0, -np.inf)
    start_only = np.where(opens, 0.0, -np.inf)
    starts = set(sentence_starts)
    score = logp[0] + start_only
    back = np.zeros((n, n_tags), dtype=int)
    for k in range(1, n):
        if k in starts:
            prev = int(score.argmax())
            back[k] = prev
            score = score[prev] + start_only + logp[k]
        else:
            cand = score[:, None] + trans
            back[k] = cand.argmax(axis=0)
            score = cand.max(axis=0) + logp[k]
    path = np.zeros(n, dtype=int)
    path[-1] = int(score.argmax())
    for k in range(n - 1, 0, -1):
        path[k - 1] = back[k, path[k]]
    return path


def words_to_entities(
    text: str,
    words: Sequence[Token],
    probs: np.ndarray,
    tags: Sequence[str],
    sentence_starts: Sequence[int] = (),
    decoding: str = "viterbi",
    outside_weight: float = 1.0,
) -> list[Entity]:
    """Decode word-level tag probabilities into entities with character offsets.

    Args:
        text: The original text.
        words: Its words (scheme tokens).
        probs: ``(len(words), len(tags))`` probabilities.
        tags: Tag names for the columns (``O``, ``B-X``, ``I-X``...).
        sentence_starts: Indices of words that begin a sentence: no entity
            runs across them.
        decoding: ``"viterbi"`` (the best valid IOB2 sequence) or ``"argmax"``
            (each word's best tag; an ``I-`` that cannot continue starts a new entity).
        outside_weight: Factor on the ``O`` probability when choosing tags (1 = as predicted).

    Returns:
        Entities in text order; the score is the mean probability of the chosen tags.
    """
    if decoding not in DECODINGS:
        raise ValueError(f"decoding must be one of {DECODINGS}, got {decoding!r}")
    if len(words) == 0:
        return []
    chooser = probs
    if outside_weight != 1.0 and "O" in tags:
        # Rows need no renormalising: each word's scores shift by one constant, so no choice changes but O's.
        chooser = probs.copy()
        chooser[:, list(tags).index("O")] *= outside_weight
    best = viterbi_bio(chooser, tags, sentence_starts) if decoding == "viterbi" else chooser.argmax(axis=1)
    seq = [tags[i] for i in best]
    for k in sentence_starts:
        if 0 < k < len(seq) and seq[k].startswith("I-"):
            seq[k] = "B-" + seq[k][2:]
    entities = []
    for first, last, label in spans_from_bio(seq):
        start, end = words[first].start, words[last - 1].end
        score = float(probs[np.arange(first, last), best[first:last]].mean())
        entities.append(Entity(label, text[start:end], start, end, round(score, 4)))
    return entities
