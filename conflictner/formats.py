"""Character-span formats: JSONL, Label Studio and Doccano, to and from CoNLL documents.

All formats carry the full document text and ``[start, end)`` character
spans, so a CoNLL → JSONL → CoNLL round trip is lossless. On import, a span
that does not fall on token boundaries (or crosses a sentence) cannot become
BIO: it is reported with its document and offsets, never dropped silently.

JSONL (one document per line)::

    {"id": "doc-1", "text": "...", "entities": [{"start": 0, "end": 7, "label": "EVENT"}]}

Label Studio: a JSON list of tasks ``{"data": {"text": ...}, "annotations":
[{"result": [{"type": "labels", "value": {"start", "end", "text", "labels": [L]}}]}]}``
(model output goes under ``"predictions"`` with a score, so Label Studio shows
it as a pre-annotation to correct). Doccano: JSONL with ``"text"`` and
``"label": [[start, end, L], ...]`` (the ``"entities"`` form with
``start_offset``/``end_offset`` is read too).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .corpus import Document, document_from_spans

__all__ = [
    "ImportReport",
    "read_jsonl",
    "write_jsonl",
    "read_label_studio",
    "write_label_studio",
    "read_doccano",
    "write_doccano",
    "READERS",
    "WRITERS",
]


class ImportReport(list):
    """Problems met while importing (a list of readable strings)."""


def _spans(doc: Document) -> list[tuple[int, int, str]]:
    return doc.char_spans()


def _entities(doc: Document) -> list[dict[str, Any]]:
    assert doc.text is not None
    return [{"start": s, "end": e, "label": lab, "text": doc.text[s:e]} for s, e, lab in _spans(doc)]


def _load_json_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    out = []
    with path.open(encoding="utf-8-sig") as fh:
        for ln, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append((ln, json.loads(line)))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{ln}: not valid JSON ({e.msg})") from e
    return out


def _doc(doc_id: str, text: Any, spans: Iterable[tuple[Any, Any, Any]], where: str, problems: list[str] | None) -> Document:
    if not isinstance(text, str):
        raise ValueError(f"{where}: document {doc_id} has no text")
    clean: list[tuple[int, int, str]] = []
    local: list[str] = []
    for s, e, lab in spans:
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            local.append(f"{doc_id}: span {s}-{e} {lab} is outside the text (length {len(text)})")
            continue
        clean.append((s, e, str(lab)))
    clean.sort()
    kept: list[tuple[int, int, str]] = []
    for sp in clean:
        if kept and sp[0] < kept[-1][1]:
            local.append(f"{doc_id}: span {sp[0]}-{sp[1]} {sp[2]} overlaps {kept[-1][0]}-{kept[-1][1]} {kept[-1][2]} (nested spans are not allowed)")
            continue
        kept.append(sp)
    doc = document_from_spans(doc_id, text, kept, source=where, problems=local)
    if local:
        if problems is None:
            raise ValueError(f"{where}: " + "; ".join(local))
        problems.extend(f"{where}: {p}" for p in local)
    return doc


def read_jsonl(path: str | Path, *, problems: list[str] | None = None) -> list[Document]:
    """Read ``{"id","text","entities"}`` JSONL into documents."""
    path = Path(path)
    docs = []
    for ln, rec in _load_json_lines(path):
        doc_id = str(rec.get("id", f"{path.stem}-{ln}"))
        spans = [(e.get("start"), e.get("end"), e.get("label")) for e in rec.get("entities", [])]
        docs.append(_doc(doc_id, rec.get("text"), spans, f"{path}:{ln}", problems))
    return docs


def write_jsonl(docs: Iterable[Document], path: str | Path) -> None:
    """Write documents as ``{"id","text","entities"}`` JSONL."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"id": d.doc_id, "text": d.text, "entities": _entities(d)}, ensure_ascii=False) + "\n")


def read_label_studio(path: str | Path, *, problems: list[str] | None = None) -> list[Document]:
    """Read a Label Studio JSON export (the first annotation of each task, else its first prediction)."""
    path = Path(path)
    tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(tasks, dict):
        tasks = [tasks]
    docs = []
    for i, task in enumerate(tasks):
        data = task.get("data", {})
        text = data.get("text")
        doc_id = str(data.get("id") or task.get("id") or f"{path.stem}-{i}")
        sets = task.get("annotations") or task.get("predictions") or [{"result": []}]
        results = sets[0].get("result", [])
        spans = []
        for r in results:
            v = r.get("value", {})
            labels = v.get("labels") or []
            if r.get("type", "labels") != "labels" or not labels:
                continue
            spans.append((v.get("start"), v.get("end"), labels[0]))
        docs.append(_doc(doc_id, text, spans, f"{path}[{i}]", problems))
    return docs


def write_label_studio(docs: Iterable[Document], path: str | Path, *, as_predictions: bool = False,
                       scores: Sequence[Sequence[float]] | None = None, model_version: str = "") -> None:
    """Write a Label Studio import file (tasks with annotations, or predictions to correct)."""
    tasks = []
    for k, d in enumerate(docs):
        result = []
        for j, ent in enumerate(_entities(d)):
            item = {
                "id": f"{d.doc_id}-{j}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": ent["start"], "end": ent["end"], "text": ent["text"], "labels": [ent["label"]]},
            }
            if scores is not None:
                item["score"] = float(scores[k][j])
            result.append(item)
        key = "predictions" if as_predictions else "annotations"
        entry: dict[str, Any] = {"result": result}
        if as_predictions:
            entry["model_version"] = model_version
        tasks.append({"data": {"id": d.doc_id, "text": d.text}, key: [entry]})
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")


def read_doccano(path: str | Path, *, problems: list[str] | None = None) -> list[Document]:
    """Read Doccano sequence-labelling JSONL (``label`` triples or ``entities`` objects)."""
    path = Path(path)
    docs = []
    for ln, rec in _load_json_lines(path):
        doc_id = str(rec.get("id", f"{path.stem}-{ln}"))
        if "entities" in rec:
            spans = [(e.get("start_offset"), e.get("end_offset"), e.get("label")) for e in rec["entities"]]
        else:
            spans = [tuple(x) for x in rec.get("label", [])]
        docs.append(_doc(doc_id, rec.get("text"), spans, f"{path}:{ln}", problems))
    return docs


def write_doccano(docs: Iterable[Document], path: str | Path) -> None:
    """Write Doccano sequence-labelling JSONL."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for d in docs:
            label = [[e["start"], e["end"], e["label"]] for e in _entities(d)]
            fh.write(json.dumps({"id": d.doc_id, "text": d.text, "label": label}, ensure_ascii=False) + "\n")


READERS = {"jsonl": read_jsonl, "label-studio": read_label_studio, "doccano": read_doccano}
WRITERS = {"jsonl": write_jsonl, "label-studio": write_label_studio, "doccano": write_doccano}
