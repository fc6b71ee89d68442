"""Scoring a model on held-out documents (``conflictner evaluate``).

Whole documents are parsed exactly as ``parse`` does (windows merged), and
the predicted character spans are compared with the gold ones:

* seqeval strict IOB2 per label and micro/macro P/R/F1, plus the
  conlleval-style (non-strict) micro score;
* a partial-overlap score (a prediction counts when it overlaps a gold span of
  the same label);
* the confusion of labels over gold spans (``O`` = missed / spurious);
* the kinds of error per label (:func:`error_kinds`): a wrong boundary, a wrong
  label, a missed span, a spurious one;
* incident agreement: incidents assembled from predicted entities against
  those assembled from gold entities (casualty totals exact, places matched).

Evaluating a model on documents it was trained on is flagged: the hashes of
the evaluation documents are checked against the model's ``train_report.json``.

:func:`calibrate_outside_weight` measures, on dev documents, the factor on the
``O`` probability that gives the best micro F1 (see :mod:`conflictner.decode`);
``train`` stores it with the model and ``conflictner calibrate`` does so for any model.
"""

from __future__ import annotations

import collections
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import Document
from .labels import UNKNOWN, bio_from_spans, repair_bio, spans_from_bio
from .results import Entity
from .text import Token, tokenize

__all__ = [
    "ERROR_KINDS", "OUTSIDE_WEIGHTS", "Calibration", "Evaluation", "calibrate_outside_weight", "error_kinds", "evaluate",
    "score_documents", "training_overlap", "write_calibration",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    """Scores of one evaluation run (see :func:`evaluate`)."""

    per_label: dict[str, dict[str, float]]
    micro: dict[str, float]
    macro: dict[str, float]
    conlleval_micro: dict[str, float]
    partial: dict[str, float]
    confusion: dict[str, dict[str, int]]
    incidents: dict[str, Any]
    documents: int
    tokens: int
    warnings: list[str] = field(default_factory=list)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def table(self) -> str:
        """A readable table of the scores."""
        lines = [f"{'label':10} {'prec':>6} {'rec':>6} {'f1':>6} {'support':>8}"]
        for lab, m in sorted(self.per_label.items()):
            lines.append(f"{lab:10} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:8d}")
        for name, m in (("micro", self.micro), ("macro", self.macro), ("conlleval", self.conlleval_micro), ("partial", self.partial)):
            lines.append(f"{name:10} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f}")
        if self.errors:
            kinds = collections.Counter()
            for per in self.errors.values():
                kinds.update(per)
            lines.append("errors: " + ", ".join(f"{k}={kinds[k]}" for k in ERROR_KINDS))
        lines.append(f"{self.documents} documents, {self.tokens} tokens")
        if self.incidents:
            lines.append("incidents: " + ", ".join(f"{k}={v}" for k, v in self.incidents.items()))
        lines += [f"WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


def _doc_words(doc: Document) -> tuple[str, list[Token], list[str]]:
    """Text, words and gold tags of a document; documents without text are scored on their own tokens."""
    if doc.text is not None:
        words = tokenize(doc.text)
        if [w.text for w in words] == doc.tokens:
            return doc.text, words, doc.tags
        log.warning("%s: tokens differ from the text's tokenization; scoring on the file's tokens", doc.doc_id)
    words, pos, parts = [], 0, []
    for tok in doc.tokens:
        words.append(Token(tok, pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok) + 1
    # Sentence breaks become line breaks so the text reads as the corpus had it.
    text_chars = list(" ".join(parts))
    i = 0
    for sent in doc.sentences[:-1]:
        i += len(sent)
        text_chars[words[i].start - 1] = "\n"
    return "".join(text_chars), words, doc.tags


def _tags_from_entities(words: Sequence[Token], entities: Sequence[Entity]) -> list[str]:
    starts = {w.start: i for i, w in enumerate(words)}
    ends = {w.end: i for i, w in enumerate(words)}
    spans = []
    for e in entities:
        a, b = starts.get(e.start), ends.get(e.end)
        if a is None or b is None:
            # Predictions come from the same words, so this only happens with foreign tokens.
            inside = [i for i, w in enumerate(words) if w.end > e.start and w.start < e.end]
            if not inside:
                continue
            a, b = inside[0], inside[-1]
        spans.append((a, b + 1, e.label))
    return bio_from_spans(len(words), spans)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _as_scored(gold_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """The sequences every score reads: ``UNK`` gold tags as ``O``, predictions repaired to valid IOB2."""
    return [["O" if t == UNKNOWN else t for t in seq] for seq in gold_tags], [repair_bio(seq) for seq in pred_tags]


def score_documents(
    gold_tags: Sequence[Sequence[str]],
    pred_tags: Sequence[Sequence[str]],
) -> tuple[dict[str, dict[str, float]], dict[str, float], dict[str, float], dict[str, float], dict[str, float], dict[str, dict[str, int]]]:
    """Per-label, micro, macro, conlleval, partial scores and confusion from tag sequences.

    ``UNK`` gold tags (unknown in auxiliary corpora) are scored as ``O``.
    """
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    y_true, y_pred = _as_scored(gold_tags, pred_tags)
    rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    per_label = {
        k: {"precision": round(v["precision"], 4), "recall": round(v["recall"], 4), "f1": round(v["f1-score"], 4), "support": int(v["support"])}
        for k, v in rep.items()
        if k not in ("micro avg", "macro avg", "weighted avg")
    }
    micro = {k: round(rep["micro avg"][m], 4) for k, m in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"))} if "micro avg" in rep else _prf(0, 0, 0)
    macro = {k: round(rep["macro avg"][m], 4) for k, m in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"))} if "macro avg" in rep else _prf(0, 0, 0)
    conll = {
        "precision": round(precision_score(y_true, y_pred, zero_division=0), 4),
        "recall": round(recall_score(y_true, y_pred, zero_division=0), 4),
        "f1": round(f1_score(y_true, y_pred, zero_division=0), 4),
    }
    # partial overlap and confusion, from token spans
    tp_p = fp_p = fn_p = 0
    confusion: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for g, p in zip(y_true, y_pred):
        gs, ps = spans_from_bio(g), spans_from_bio(p)
        for a, b, lab in ps:
            if any(lab == gl and a < gb and ga < b for ga, gb, gl in gs):
                tp_p += 1
            else:
                fp_p += 1
        for a, b, lab in gs:
            if not any(lab == pl and a < pb and pa < b for pa, pb, pl in ps):
                fn_p += 1
            exact = [pl for pa, pb, pl in ps if pa == a and pb == b]
            confusion[lab][exact[0] if exact else "O"] += 1
        gold_spans = {(a, b) for a, b, _ in gs}
        for a, b, lab in ps:
            if (a, b) not in gold_spans:
                confusion["O"][lab] += 1
    partial = _prf(tp_p, fp_p, fn_p)
    return per_label, micro, macro, conll, partial, {k: dict(v) for k, v in confusion.items()}


#: The kinds of strict-match error counted by :func:`error_kinds`.
ERROR_KINDS = ("boundary", "label", "missed", "spurious")


def error_kinds(gold_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> dict[str, dict[str, int]]:
    """Every strict-match error, by gold (or, for spurious spans, predicted) label and kind.

    A gold span without an exact prediction is a *boundary* error when a prediction of
    the same label overlaps it, a *label* error when only predictions of other labels
    overlap it (or cover it exactly), and *missed* otherwise; a prediction that overlaps
    no gold span is *spurious*. This tells a boundary problem (partial-overlap F1 far
    above strict) from a recall or precision one.

    Example:
        >>> error_kinds([["B-LOC", "I-LOC", "O", "B-PER"]], [["B-LOC", "O", "B-ORG", "B-ORG"]])
        {'LOC': {'boundary': 1}, 'ORG': {'spurious': 1}, 'PER': {'label': 1}}
    """
    out: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for g, p in zip(*_as_scored(gold_tags, pred_tags), strict=True):
        gs, ps = spans_from_bio(g), spans_from_bio(p)
        exact = set(ps)
        for a, b, lab in gs:
            if (a, b, lab) in exact:
                continue
            over = [pl for pa, pb, pl in ps if pa < b and a < pb]
            out[lab]["boundary" if lab in over else "label" if over else "missed"] += 1
        for a, b, lab in ps:
            if not any(ga < b and a < gb for ga, gb, _ in gs):
                out[lab]["spurious"] += 1
    return {lab: dict(sorted(c.items())) for lab, c in sorted(out.items())}


def training_overlap(model_dir: str | Path, docs: Sequence[Document], *, include_dev: bool = True) -> list[str]:
    """Documents of ``docs`` whose text hash occurs in the model's training data.

    Args:
        model_dir: The model's folder (read: its ``train_report.json``; none means no overlap known).
        docs: The documents to check.
        include_dev: Count the model's dev (selection) documents as seen too.
    """
    from .train import documents_hash

    rp = Path(model_dir) / "train_report.json"
    if not rp.exists():
        return []
    data = json.loads(rp.read_text(encoding="utf-8")).get("data", {})
    seen = set(data.get("train_hashes", [])) | (set(data.get("dev_hashes", [])) if include_dev else set())
    return [d.doc_id for d, h in zip(docs, documents_hash(docs)) if h in seen]


def _incident_scores(texts: list[str], gold: list[list[Entity]], pred: list[list[Entity]]) -> dict[str, Any]:
    from .incidents import build_incidents

    n_gold = n_pred = matched = cas_ok = cas_total = place_ok = place_total = 0
    for text, g, p in zip(texts, gold, pred):
        gi = build_incidents(text, g)
        pi = build_incidents(text, p)
        n_gold += len(gi)
        n_pred += len(pi)
        used: set[int] = set()
        for inc in gi:
            if inc.trigger is None:
                continue
            for k, cand in enumerate(pi):
                if k in used or cand.trigger is None:
                    continue
                if cand.trigger.start < inc.trigger.end and inc.trigger.start < cand.trigger.end and cand.type == inc.type:
                    used.add(k)
                    matched += 1
                    for attr in ("killed", "injured"):
                        gc = getattr(inc, attr)
                        if gc is not None:
                            cas_total += 1
                            pc = getattr(cand, attr)
                            cas_ok += int(pc is not None and pc.total.value == gc.total.value)
                    gp = {pm.entity.text for pm in inc.places}
                    if gp:
                        place_total += 1
                        place_ok += int(gp == {pm.entity.text for pm in cand.places})
                    break
    out = {"gold": n_gold, "predicted": n_pred, **{f"match_{k}": v for k, v in _prf(matched, n_pred - matched, n_gold - matched).items()}}
    out["casualty_total_exact"] = round(cas_ok / cas_total, 4) if cas_total else None
    out["places_exact"] = round(place_ok / place_total, 4) if place_total else None
    return out


def evaluate(parser: Any, docs: Sequence[Document], *, model_dir: str | Path | None = None, incidents: bool = True) -> Evaluation:
    """Score a :class:`~conflictner.parser.Parser` on gold documents.

    Args:
        parser: The parser to evaluate.
        docs: Gold documents (with text where available).
        model_dir: The model's folder, to check for training-data overlap.
        incidents: Also compare incidents built from predicted vs gold entities.
    """
    warnings: list[str] = []
    if model_dir is not None:
        leaked = training_overlap(model_dir, docs)
        if leaked:
            msg = f"{len(leaked)} of {len(docs)} evaluation documents were in the model's training/dev data (e.g. {leaked[0]}): these scores are not held-out"
            log.warning(msg)
            warnings.append(msg)
    prepared = [_doc_words(d) for d in docs]
    preds = parser.predict_entities([t for t, _, _ in prepared], words=[w for _, w, _ in prepared])
    return _evaluation(prepared, preds, warnings, incidents=incidents)


def _evaluation(prepared: Sequence[tuple[str, list[Token], list[str]]], preds: Sequence[Sequence[Entity]],
                warnings: list[str], *, incidents: bool) -> Evaluation:
    gold_tags = [tags for _, _, tags in prepared]
    pred_tags = [_tags_from_entities(w, p) for (_, w, _), p in zip(prepared, preds)]
    per_label, micro, macro, conll, partial, confusion = score_documents(gold_tags, pred_tags)
    errors = error_kinds(gold_tags, pred_tags)
    inc: dict[str, Any] = {}
    if incidents:
        gold_ents = []
        for (text, words, tags) in prepared:
            clean = ["O" if t == UNKNOWN else t for t in tags]
            gold_ents.append([
                Entity(lab, text[words[a].start : words[b - 1].end], words[a].start, words[b - 1].end)
                for a, b, lab in spans_from_bio(clean)
            ])
        try:
            inc = _incident_scores([t for t, _, _ in prepared], gold_ents, [list(p) for p in preds])
        except ImportError as e:  # pragma: no cover - incidents need the numbers/places modules
            warnings.append(f"incident scores unavailable: {e}")
    return Evaluation(
        per_label=per_label, micro=micro, macro=macro, conlleval_micro=conll, partial=partial,
        confusion=confusion, incidents=inc, documents=len(prepared), tokens=sum(len(w) for _, w, _ in prepared),
        warnings=warnings, errors=errors,
    )


#: Outside weights :func:`calibrate_outside_weight` tries by default (1 = the model's own probabilities).
OUTSIDE_WEIGHTS = (1.0, 1.5, 2.0, 3.0, 5.0)


@dataclass(frozen=True)
class Calibration:
    """The outside weight chosen on dev documents, with the scores behind the choice.

    Attributes:
        outside_weight: The weight with the best strict micro F1 (ties: the one nearest 1).
        f1_by_weight: Strict micro F1 at each weight tried.
        dev: Micro ``precision``, ``recall``, ``f1`` and ``macro_f1`` at the chosen weight.
    """

    outside_weight: float
    f1_by_weight: dict[float, float]
    dev: dict[str, float]


def calibrate_outside_weight(parser: Any, docs: Sequence[Document], weights: Sequence[float] = OUTSIDE_WEIGHTS) -> Calibration:
    """Choose the factor on the ``O`` probability that scores best on ``docs`` (dev, never test).

    The documents are read once; each weight only changes the decoding. A model
    that overpredicts spans gains precision from a weight above 1.

    Args:
        parser: The parser to calibrate (its own outside weight is ignored).
        docs: Gold dev documents.
        weights: Positive weights to try.

    Raises:
        ValueError: No documents, or a weight that is not positive.

    Example:
        >>> cal = calibrate_outside_weight(conflictner.load(), dev_docs)  # doctest: +SKIP
        >>> cal.outside_weight, cal.f1_by_weight  # doctest: +SKIP
        (2.0, {1.0: 0.8023, 1.5: 0.8089, 2.0: 0.8113, 3.0: 0.8093, 5.0: 0.8062})
    """
    if not docs:
        raise ValueError("calibration needs at least one gold document")
    if not weights or any(not w > 0 for w in weights):
        raise ValueError(f"outside weights must be positive, got {list(weights)}")
    prepared = [_doc_words(d) for d in docs]
    texts, words = [t for t, _, _ in prepared], [w for _, w, _ in prepared]
    probs = parser.word_probabilities(texts, words=words)
    scored = {float(w): _evaluation(prepared, parser.decode(texts, words, probs, outside_weight=w), [], incidents=False)
              for w in weights}
    best = max(scored, key=lambda w: (scored[w].micro["f1"], -abs(math.log(w))))
    ev = scored[best]
    return Calibration(
        outside_weight=best,
        f1_by_weight={w: float(e.micro["f1"]) for w, e in scored.items()},
        dev={k: float(v) for k, v in (("precision", ev.micro["precision"]), ("recall", ev.micro["recall"]),
                                      ("f1", ev.micro["f1"]), ("macro_f1", ev.macro["f1"]))},
    )


def calibration_record(cal: Calibration, data: str) -> dict[str, Any]:
    """The ``calibration`` entry of ``train_report.json``: the weight, the F1 of each weight tried, the data used."""
    return {"outside_weight": cal.outside_weight, "f1_by_weight": {f"{w:g}": f for w, f in cal.f1_by_weight.items()},
            "data": data, "dev": cal.dev}


def write_calibration(model_dir: str | Path, cal: Calibration, data: str) -> None:
    """Store a calibrated outside weight with a model: ``config.json``, and ``train_report.json`` if present.

    Args:
        model_dir: The model folder.
        cal: The calibration.
        data: What it was measured on, for the record (e.g. ``annotations (dev)``).
    """
    folder = Path(model_dir)
    cfg_path = folder / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["conflictner_outside_weight"] = cal.outside_weight
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    rp = folder / "train_report.json"
    if rp.exists():
        report = json.loads(rp.read_text(encoding="utf-8"))
        report["calibration"] = calibration_record(cal, data)
        rp.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    log.info("%s: outside weight %g stored", folder, cal.outside_weight)
