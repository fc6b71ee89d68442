"""The ``Parser``: a model plus everything that turns its output into a ``Report``."""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from .decode import DECODINGS, Window, context_weight, plan_windows, word_subwords, words_to_entities
from .model import AGGREGATIONS, DEFAULT_MODEL_DIR, LoadedModel, load_checkpoint
from .results import Entity, Report
from .text import Token, split_sentences, tokenize

__all__ = ["Parser"]

log = logging.getLogger(__name__)


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"parse() expects the report as str, got {type(text).__name__}")
    return text


def _as_date(value: _dt.date | str | None) -> _dt.date | None:
    if value is None or isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(value)
    except ValueError as e:
        raise ValueError(f"report_date must be an ISO date (YYYY-MM-DD), got {value!r}") from e


class Parser:
    """Finds entities in Arabic conflict reports and assembles incidents.

    Args:
        loaded: A model loaded with :func:`conflictner.model.load_checkpoint`.
        max_length: Subwords per window including special tokens (default: the length the
            model was fine-tuned with, else its limit).
        stride: Subwords of overlap between windows of a long report (default: a quarter window).
        batch_size: Windows per forward pass.
        aggregation: ``"first"`` (each word's first subword) or ``"mean"`` (the mean of its
            subwords' probabilities); default: what the model was trained for (``first``
            unless trained with ``subword_labels = "all"``).
        decoding: ``"viterbi"`` (best valid IOB2 sequence, the default) or ``"argmax"``
            (word by word, then repaired); see :mod:`conflictner.decode`.
        outside_weight: Factor on the ``O`` probability before decoding; above 1 favours
            precision, below 1 recall (default: the value measured on dev and stored
            with the model by ``conflictner calibrate`` or ``train``, else 1).

    Example:
        >>> import conflictner
        >>> parser = conflictner.load()                       # the shipped model
        >>> report = parser.parse("قصف الطيران الحربي بلدة حيش اليوم")
        >>> [(e.label, e.text) for e in report.entities]      # doctest: +SKIP
        [('EVENT', 'قصف'), ('ACTOR', 'الطيران الحربي'), ('LOC', 'بلدة حيش'), ('TIME', 'اليوم')]
    """

    def __init__(
        self,
        loaded: LoadedModel,
        *,
        max_length: int | None = None,
        stride: int | None = None,
        batch_size: int = 16,
        aggregation: str | None = None,
        decoding: str = "viterbi",
        outside_weight: float | None = None,
        incidents: bool = True,
    ) -> None:
        aggregation = loaded.aggregation if aggregation is None else aggregation
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
        if decoding not in DECODINGS:
            raise ValueError(f"decoding must be one of {DECODINGS}, got {decoding!r}")
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.tags = loaded.tags
        limit = int(getattr(getattr(loaded.model, "config", None), "max_position_embeddings", 512) or 512)
        self.max_length = min(max_length or loaded.max_length, limit, 512)
        if self.max_length < 8:
            raise ValueError("max_length must be at least 8")
        self.stride = self.max_length // 4 if stride is None else stride
        self.batch_size = batch_size
        self.aggregation = aggregation
        self.decoding = decoding
        self.outside_weight = loaded.outside_weight if outside_weight is None else float(outside_weight)
        if not self.outside_weight > 0:
            raise ValueError(f"outside_weight must be positive, got {outside_weight!r}")
        self.incidents = incidents
        self._specials = self.tokenizer.num_special_tokens_to_add(pair=False)
        self._cls = self.tokenizer.cls_token_id
        self._sep = self.tokenizer.sep_token_id
        self._pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, **kwargs: object) -> Parser:
        """Load a model folder (the shipped model when ``path`` is None)."""
        device = str(kwargs.pop("device", "cpu"))
        return cls(load_checkpoint(path or DEFAULT_MODEL_DIR, device=device), **kwargs)  # type: ignore[arg-type]

    @property
    def path(self) -> Path:
        return self.loaded.path

    # --- entities ------------------------------------------------------------------

    def _subwords(self, words: Sequence[Token]) -> list[list[int]]:
        return word_subwords(self.tokenizer, [w.text for w in words])

    def _predict_probs(self, docs_subwords: list[list[list[int]]], progress: Callable[[int], None] | None) -> list[np.ndarray]:
        """Word-by-tag probabilities for each document, merged over windows."""
        import torch

        n_tags = len(self.tags)
        capacity = self.max_length - self._specials
        windows: list[Window] = []
        for d, subwords in enumerate(docs_subwords):
            lengths = [max(1, len(s)) for s in subwords]
            if lengths:
                windows += plan_windows(d, lengths, capacity, self.stride)
        probs = [np.zeros((len(s), n_tags), dtype=np.float32) for s in docs_subwords]
        weight = [np.full(len(s), -1, dtype=np.int64) for s in docs_subwords]
        # Length-sorted batches waste little compute on padding.
        order = sorted(range(len(windows)), key=lambda i: windows[i].n_subwords)
        done_docs: set[int] = set()
        remaining = [0] * len(docs_subwords)
        for w in windows:
            remaining[w.doc] += 1
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                batch = [windows[i] for i in order[b : b + self.batch_size]]
                rows, firsts = [], []
                for w in batch:
                    ids = [self._cls] if self._cls is not None else []
                    first_pos = []
                    for k in range(w.first, w.last):
                        sub = docs_subwords[w.doc][k]
                        first_pos.append((len(ids), len(sub)))
                        ids += sub
                    if self._sep is not None:
                        ids.append(self._sep)
                    rows.append(ids)
                    firsts.append(first_pos)
                width = max(len(r) for r in rows)
                input_ids = torch.full((len(rows), width), self._pad, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for r, ids in enumerate(rows):
                    input_ids[r, : len(ids)] = torch.tensor(ids, dtype=torch.long)
                    mask[r, : len(ids)] = 1
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits
                p = torch.softmax(logits.float(), dim=-1).cpu().numpy()
                for r, w in enumerate(batch):
                    for j, (pos, n_sub) in enumerate(firsts[r]):
                        k = w.first + j
                        cw = context_weight(k, w.first, w.last)
                        if cw <= weight[w.doc][k]:
                            continue
                        weight[w.doc][k] = cw
                        if n_sub == 0:
                            # No subword (the tokenizer dropped every character): nothing to read.
                            probs[w.doc][k] = 0.0
                            probs[w.doc][k][self.tags.index("O") if "O" in self.tags else 0] = 1.0
                        elif self.aggregation == "mean":
                            probs[w.doc][k] = p[r, pos : pos + n_sub].mean(axis=0)
                        else:
                            probs[w.doc][k] = p[r, pos]
                    remaining[w.doc] -= 1
                    if remaining[w.doc] == 0 and w.doc not in done_docs:
                        done_docs.add(w.doc)
                        if progress:
                            progress(1)
        if progress:
            # Empty documents had no window; count them as done too.
            progress(len(docs_subwords) - len(done_docs))
        return probs

    def word_probabilities(
        self,
        texts: Sequence[str],
        *,
        words: Sequence[Sequence[Token]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[np.ndarray]:
        """Tag probabilities of every word of each text, windows merged, before decoding.

        Averaging these over several parsers with the same tags is an ensemble
        (``training/silver_corpus.py`` does that to pseudo-label text).

        Args:
            texts: The texts.
            words: Their words; default: ``tokenize`` of each text.
            progress: Called with the number of texts finished as they finish.

        Returns:
            One ``(n_words, len(self.tags))`` float32 array per text.

        Example:
            >>> p = Parser.from_pretrained()  # doctest: +SKIP
            >>> p.word_probabilities(["قصف على حلب"])[0].shape  # doctest: +SKIP
            (3, 21)
        """
        words = [tokenize(_check_text(t)) for t in texts] if words is None else [list(w) for w in words]
        return self._predict_probs([self._subwords(w) for w in words], progress)

    def predict_entities(
        self,
        texts: Sequence[str],
        *,
        words: Sequence[Sequence[Token]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Entity]]:
        """Entities of each text, in input order.

        Args:
            texts: The texts.
            words: Their words, when they must not come from the scheme's
                tokenizer (scoring on another corpus's tokens); default: ``tokenize``.
            progress: Called with the number of texts finished as they finish.
        """
        texts = [_check_text(t) for t in texts]
        words = [tokenize(t) for t in texts] if words is None else [list(w) for w in words]
        probs = self.word_probabilities(texts, words=words, progress=progress)
        return self.decode(texts, words, probs)

    def decode(
        self,
        texts: Sequence[str],
        words: Sequence[Sequence[Token]],
        probs: Sequence[np.ndarray],
        *,
        outside_weight: float | None = None,
    ) -> list[list[Entity]]:
        """Entities from word probabilities (those of :meth:`word_probabilities`).

        Reading a text once and decoding it several ways is how
        :func:`conflictner.evaluate.calibrate_outside_weight` compares outside weights.

        Args:
            texts: The texts.
            words: Their words, as given to :meth:`word_probabilities`.
            probs: Their word probabilities.
            outside_weight: Overrides the parser's outside weight.
        """
        weight = self.outside_weight if outside_weight is None else outside_weight
        out = []
        for t, w, p in zip(texts, words, probs):
            starts, k = [], 0
            for sent in split_sentences(t, w):
                starts.append(k)
                k += len(sent)
            out.append(words_to_entities(t, w, p, self.tags, starts, self.decoding, weight))
        return out

    # --- reports -------------------------------------------------------------------

    def _report(self, text: str, entities: list[Entity], report_date: _dt.date | None) -> Report:
        incidents: tuple = ()
        if self.incidents and entities:
            from .incidents import build_incidents

            incidents = tuple(build_incidents(text, entities, report_date=report_date))
        return Report(
            text=text,
            entities=tuple(entities),
            incidents=incidents,
            report_date=report_date.isoformat() if report_date else None,
        )

    def parse(self, text: str, *, report_date: _dt.date | str | None = None) -> Report:
        """Parse one report.

        Args:
            text: The report, plain text of any length.
            report_date: Date that relative times (``اليوم``, ``أمس``) resolve against.

        Returns:
            A :class:`~conflictner.results.Report`. Empty or whitespace-only text
            gives an empty report.

        Raises:
            TypeError: If ``text`` is not a ``str``.
        """
        return self.parse_batch([text], report_date=report_date)[0]

    def parse_batch(
        self,
        texts: Iterable[str],
        *,
        report_date: _dt.date | str | None | Sequence[_dt.date | str | None] = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Report]:
        """Parse many reports at once; results come back in input order.

        Windows of all reports are batched together, sorted by length.

        Args:
            texts: Reports.
            report_date: One date for all, or one per report.
            progress: Called with the number of reports finished as they finish.
        """
        texts = [_check_text(t) for t in texts]
        if isinstance(report_date, (list, tuple)):
            if len(report_date) != len(texts):
                raise ValueError(f"{len(report_date)} report dates for {len(texts)} texts")
            dates = [_as_date(d) for d in report_date]
        else:
            dates = [_as_date(report_date)] * len(texts)  # type: ignore[arg-type]
        entities = self.predict_entities(texts, progress=progress)
        return [self._report(t, e, d) for t, e, d in zip(texts, entities, dates)]

    def __repr__(self) -> str:
        return f"Parser({str(self.path)!r}, tags={len(self.tags)}, max_length={self.max_length}, outside_weight={self.outside_weight:g})"
