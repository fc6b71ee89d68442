#!/usr/bin/env python3
"""Speed and agreement of ``Parser.parse_batch`` against the transformers NER pipeline.

Both systems run the *same checkpoint*, in the same process, on the same real
reports: every Syrian Archive Arabic page (``shared/data/syrian-archive/**/*_ar.md``,
converted with :func:`conflictner.corpus.markdown_to_text`) and the example report
``shared/examples/deir-ez-zor-daily-report.txt`` (first in the list).

Systems timed (see ``benchmarks/README.md`` for the details of each):

* ``conflictner``: ``Parser.parse_batch(texts)`` -- entities *and* incidents
  (numbers, dates, gazetteer places). This is the figure the speed ratio is about.
* ``conflictner-entities``: ``Parser.predict_entities(texts)`` -- the same
  entities without incident assembly, i.e. the work the pipeline also does.
* ``pipeline``: ``pipeline("token-classification", model, tokenizer,
  aggregation_strategy="first", device=-1, stride=S)`` on the raw texts; with
  ``stride`` the pipeline cuts a long text into overlapping chunks of
  ``tokenizer.model_max_length`` subwords instead of truncating it.
* ``pipeline-words`` (unless ``--no-words-variant``): the same pipeline fed the
  scheme's words (``is_split_into_words=True``), so that its subword ids equal
  conflictner's; what still differs is the windowing and the pipeline's grouping
  of subwords into words (a diagnostic, not a way anyone would run the pipeline).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_parse.py                       # the shipped model
    .venv/bin/python benchmarks/bench_parse.py --model runs/x/model --repeat 3
    .venv/bin/python benchmarks/bench_parse.py --random-head models/base-e5-small-trimmed
    .venv/bin/python benchmarks/bench_parse.py --tiny --limit 10     # seconds, any machine
    .venv/bin/python benchmarks/bench_parse.py --model M --json > bench.json
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_REL = Path("examples") / "deir-ez-zor-daily-report.txt"
SA_REL = Path("data") / "syrian-archive"

log = logging.getLogger("bench_parse")

Span = tuple[int, int, str]  # (start, end, label), character offsets into the report


# --------------------------------------------------------------------------- inputs


def find_shared(arg: str) -> Path:
    """The shared folder: ``arg`` as given (relative to the current directory), else beside the project."""
    for cand in (Path(arg), ROOT / arg, ROOT.parent / "shared"):
        if (cand / SA_REL).is_dir() or (cand / EXAMPLE_REL).is_file():
            return cand.resolve()
    raise SystemExit(f"error: no shared data folder at {arg!r} (nor {ROOT.parent / 'shared'}); pass --shared")


def load_reports(shared: Path, limit: int | None) -> list[tuple[str, str]]:
    """``(id, text)`` of the example report, then every Syrian Archive ``*_ar.md`` page in path order."""
    from conflictner.corpus import markdown_to_text

    out: list[tuple[str, str]] = []
    ex = shared / EXAMPLE_REL
    if ex.is_file():
        out.append((ex.stem, ex.read_text(encoding="utf-8")))
    else:
        log.warning("example report %s not found; benchmarking Syrian Archive pages only", ex)
    for p in sorted((shared / SA_REL).glob("**/*_ar.md")):
        text = markdown_to_text(p.read_text(encoding="utf-8"))
        if text.strip():
            out.append((str(p.relative_to(shared / SA_REL).with_suffix("")), text))
    if limit is not None:
        out = out[:limit]
    if not out:
        raise SystemExit(f"error: no reports found under {shared}")
    return out


# --------------------------------------------------------------------------- models


def build_tiny_model(out: Path, texts: Sequence[str]) -> Path:
    """A 2-layer random BERT with its own tokenizer (the recipe of tests/conftest.py)."""
    from conflictner.labels import bio_tags
    from conflictner.model import build_random_model

    sample = [t for t in texts[:3]] + ["قصف الطيران الحربي بلدة حيش اليوم وقتل 5 مدنيين", "Latin text 123 and ١٢٣ digits"]
    return build_random_model(out, sample * 3, bio_tags(), vocab_size=300)


def add_random_head(base: Path, out: Path, seed: int = 0) -> Path:
    """Save ``base`` (an encoder folder) with a randomly initialised 21-tag classification head."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from conflictner.labels import bio_tags

    tags = bio_tags()
    torch.manual_seed(seed)
    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=len(tags), id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)},
        use_safetensors=True, trust_remote_code=False, dtype=torch.float32,
    )
    model.save_pretrained(str(out), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(base), use_fast=True, trust_remote_code=False).save_pretrained(str(out))
    return out


def resolve_model(args: argparse.Namespace, texts: Sequence[str], tmp: Path) -> tuple[Path, str]:
    """The model folder to benchmark and a description of where it came from."""
    from conflictner.model import DEFAULT_MODEL_DIR

    if args.model:
        return Path(args.model), "given"
    if args.random_head:
        log.info("adding a random classification head to %s", args.random_head)
        return add_random_head(Path(args.random_head), tmp / "random-head"), f"random head on {args.random_head}"
    if args.tiny:
        log.info("building a tiny random model")
        return build_tiny_model(tmp / "tiny", texts), "tiny random model (build_random_model)"
    if DEFAULT_MODEL_DIR.is_dir():
        return DEFAULT_MODEL_DIR, "shipped"
    raise SystemExit(
        f"error: the shipped model {DEFAULT_MODEL_DIR} does not exist; pass --model DIR, "
        "--random-head models/base-e5-small-trimmed, or --tiny"
    )


# --------------------------------------------------------------------------- systems


def conflictner_spans(reports: Sequence[Any]) -> list[list[Span]]:
    return [[(e.start, e.end, e.label) for e in r] for r in reports]


def _trim(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """Strip whitespace from a span's ends (sentencepiece offsets include the space before a word)."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e, (s, e) != (start, end)


class PipelineRunner:
    """The transformers token-classification pipeline, on raw text or on pre-split words."""

    def __init__(self, model_dir: Path, max_length: int, stride: int, batch_size: int) -> None:
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

        tokenizer = AutoTokenizer.from_pretrained(str(model_dir), use_fast=True, trust_remote_code=False)
        # The pipeline's chunk length is tokenizer.model_max_length (including special
        # tokens): make it the parser's window, whatever the tokenizer files say.
        tokenizer.model_max_length = max_length
        model = AutoModelForTokenClassification.from_pretrained(
            str(model_dir), use_safetensors=True, trust_remote_code=False, dtype=torch.float32
        )
        model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.stride = stride

        def make() -> Any:
            return pipeline(
                "token-classification", model=model, tokenizer=tokenizer,
                aggregation_strategy="first", device=-1, stride=stride,
            )

        # Two pipelines over the same model: a call with is_split_into_words=True writes
        # that flag into the tokenizer_params dict the pipeline keeps from its constructor
        # (transformers 5.x), so every later raw-text call would be mis-tokenized.
        self.pipe = make()
        self.pipe_words = make()
        backend_model = getattr(getattr(tokenizer, "_tokenizer", None), "model", None)
        self.word_aware = bool(getattr(backend_model, "continuing_subword_prefix", None))
        self.trimmed = 0  # spans whose ends had whitespace (counted on the last run)

    def _run(self, inputs: list, **kw: Any) -> list[list[dict]]:
        pipe = self.pipe_words if kw.get("is_split_into_words") else self.pipe
        with warnings.catch_warnings():
            # Unigram/sentencepiece tokenizers have no continuing-subword prefix; the pipeline
            # then warns once per subword that it falls back to a whitespace heuristic.
            warnings.filterwarnings("ignore", message="Tokenizer does not support real words")
            out = pipe(inputs, batch_size=self.batch_size, **kw)
        if inputs and not isinstance(out[0], list):  # a single input comes back unwrapped
            out = [out]
        return out

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        out = self._run(list(texts))
        trimmed = 0
        result = []
        for text, ents in zip(texts, out, strict=True):
            spans = []
            for e in ents:
                s, t, changed = _trim(text, int(e["start"]), int(e["end"]))
                trimmed += changed
                if s < t:
                    spans.append((s, t, e["entity_group"]))
            result.append(spans)
        self.trimmed = trimmed
        return result

    def word_spans(self, texts: Sequence[str], words: Sequence[Sequence[Any]]) -> list[list[Span]]:
        """Feed the scheme's words; map the pipeline's offsets (into ``" ".join(words)``) back to the text."""
        inputs = [[w.text for w in ws] for ws in words]
        keep = [i for i, ws in enumerate(inputs) if ws]
        out = self._run([inputs[i] for i in keep], is_split_into_words=True) if keep else []
        result: list[list[Span]] = [[] for _ in texts]
        for i, ents in zip(keep, out, strict=True):
            ws = words[i]
            starts, pos = [], 0
            for w in inputs[i]:
                starts.append(pos)
                pos += len(w) + 1
            spans = []
            for e in ents:
                a = max(0, bisect.bisect_right(starts, int(e["start"])) - 1)
                b = max(0, bisect.bisect_right(starts, max(int(e["end"]) - 1, int(e["start"]))) - 1)
                spans.append((ws[a].start, ws[b].end, e["entity_group"]))
            result[i] = spans
        return result


# --------------------------------------------------------------------------- comparison


def agreement(texts: Sequence[str], ref: Sequence[Sequence[Span]], other: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Exact-span and overlap F1 of ``other`` against ``ref``, and why unmatched spans differ.

    Unmatched spans are classified (each counted once, from either side):
    ``label`` (same span, other label), ``punctuation`` (equal after stripping
    punctuation at the ends), ``boundary`` (overlapping, same label, other
    extent), ``missing`` (no overlapping span of the same label on the other side).
    """
    from conflictner.text import PUNCTUATION

    def strip(text: str, s: int, e: int) -> tuple[int, int]:
        while s < e and (text[s] in PUNCTUATION or text[s].isspace()):
            s += 1
        while e > s and (text[e - 1] in PUNCTUATION or text[e - 1].isspace()):
            e -= 1
        return s, e

    tp = n_ref = n_other = 0
    ov_ref = ov_other = 0
    why: Counter[str] = Counter()
    per_label: dict[str, Counter[str]] = {}
    examples: list[dict[str, Any]] = []
    for text, a, b in zip(texts, ref, other, strict=True):
        sa, sb = set(a), set(b)
        n_ref += len(sa)
        n_other += len(sb)
        tp += len(sa & sb)
        for lab in {x[2] for x in sa | sb}:
            c = per_label.setdefault(lab, Counter())
            c["tp"] += len({x for x in sa & sb if x[2] == lab})
            c["ref"] += len({x for x in sa if x[2] == lab})
            c["other"] += len({x for x in sb if x[2] == lab})
        ov_ref += sum(any(y[2] == x[2] and y[0] < x[1] and x[0] < y[1] for y in sb) for x in sa)
        ov_other += sum(any(y[2] == x[2] and y[0] < x[1] and x[0] < y[1] for y in sa) for x in sb)
        for side, mine, theirs in (("conflictner", sa - sb, sb), ("other", sb - sa, sa)):
            stripped = {(*strip(text, s, e), lab) for s, e, lab in theirs}
            for s, e, lab in sorted(mine):
                if any(y[:2] == (s, e) for y in theirs):
                    kind = "label"
                elif (*strip(text, s, e), lab) in stripped:
                    kind = "punctuation"
                elif any(y[2] == lab and y[0] < e and s < y[1] for y in theirs):
                    kind = "boundary"
                else:
                    kind = "missing"
                why[f"{kind} (only {side})" if kind == "missing" else kind] += 1
                if len(examples) < 400:
                    examples.append({"side": side, "kind": kind, "label": lab, "text": text[s:e][:60]})

    def prf(t: int, p_den: int, r_den: int) -> dict[str, float]:
        p = t / p_den if p_den else 0.0
        r = t / r_den if r_den else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}

    return {
        "conflictner_entities": n_ref,
        "other_entities": n_other,
        "exact_matches": tp,
        "exact": prf(tp, n_other, n_ref),
        # overlap: a span counts when a span of the same label overlaps it on the other side
        "overlap": {"f1": round(2 * (ov_other / n_other) * (ov_ref / n_ref) / ((ov_other / n_other) + (ov_ref / n_ref)), 4)
                    if n_ref and n_other and ov_ref and ov_other else 0.0},
        "exact_f1_per_label": {lab: prf(c["tp"], c["other"], c["ref"])["f1"] for lab, c in sorted(per_label.items())},
        "differences": dict(why.most_common()),
        "examples": examples,
    }


# --------------------------------------------------------------------------- timing


def diverse(examples: Sequence[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Up to ``n`` examples, taking the kinds of difference in turn."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for ex in examples:
        by_kind.setdefault(ex["kind"], []).append(ex)
    out: list[dict[str, Any]] = []
    while len(out) < n and any(by_kind.values()):
        for kind in list(by_kind):
            if by_kind[kind] and len(out) < n:
                out.append(by_kind[kind].pop(0))
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _padded(lengths: Sequence[int], batch_size: int) -> int:
    """Positions computed when consecutive rows are batched and padded to the longest of each batch."""
    return sum(max(lengths[i : i + batch_size]) * len(lengths[i : i + batch_size]) for i in range(0, len(lengths), batch_size))


def workload(parser: Any, runner: PipelineRunner, texts: Sequence[str], words: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Windows and subwords each side feeds the model (computed outside the timed runs).

    ``*_subwords``: real subwords incl. special tokens; ``*_padded``: positions the
    model computes, padding included. conflictner sorts all windows by length before
    batching; the pipeline batches chunks in input order and pads every chunk of a
    multi-chunk text to the longest of them (``padding=True`` in its tokenizer call).
    """
    from conflictner.decode import plan_windows, word_subwords

    capacity = parser.max_length - parser._specials
    c_lengths: list[int] = []
    for ws in words:
        lens = [max(1, len(s)) for s in word_subwords(parser.tokenizer, [w.text for w in ws])]
        c_lengths += [w.n_subwords + parser._specials for w in (plan_windows(0, lens, capacity, parser.stride) if lens else [])]
    p_lengths: list[int] = []
    p_padded_rows: list[int] = []
    p_text = 0
    for t in texts:
        enc = runner.tokenizer(t, truncation=True, return_overflowing_tokens=True, stride=runner.stride,
                               max_length=runner.tokenizer.model_max_length)
        rows = [len(x) for x in enc["input_ids"]]
        p_lengths += rows
        p_padded_rows += [max(rows)] * len(rows)
        p_text += len(runner.tokenizer(t, add_special_tokens=False)["input_ids"])
    return {
        "conflictner_windows": len(c_lengths),
        "conflictner_subwords": sum(c_lengths),
        "conflictner_padded": _padded(sorted(c_lengths), parser.batch_size),
        "pipeline_chunks": len(p_lengths),
        "pipeline_subwords": sum(p_lengths),
        "pipeline_padded": _padded(p_padded_rows, runner.batch_size),
        "pipeline_text_subwords": p_text,
    }


# --------------------------------------------------------------------------- main


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every platform
        return None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--model", help="Model folder (default: the shipped model conflictner/model, if present).")
    src.add_argument("--random-head", metavar="BASE", help="Benchmark BASE (an encoder folder, e.g. "
                     "models/base-e5-small-trimmed) with a random 21-tag head, saved to a temporary folder.")
    src.add_argument("--tiny", action="store_true", help="Benchmark a tiny random model built in seconds.")
    ap.add_argument("--shared", default="../shared", help="The shared folder (default: ../shared, else beside the project).")
    ap.add_argument("--repeat", type=int, default=3, help="Timed passes over all reports per system (default 3; the median is reported).")
    ap.add_argument("--limit", type=int, default=None, help="Use only the first N reports (the example report comes first).")
    ap.add_argument("--batch-size", type=int, default=16, help="Windows (conflictner) / chunks (pipeline) per forward pass.")
    ap.add_argument("--stride", type=int, default=None, help="Subword overlap between windows, for both systems "
                    "(default: the Parser's, a quarter window; capped at half a window).")
    ap.add_argument("--max-length", type=int, default=None, help="Window length in subwords incl. special tokens, for both "
                    "systems (default: the Parser's: the model's fine-tuning length, else its limit, ≤512).")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch.set_num_threads (default: all CPUs).")
    ap.add_argument("--no-words-variant", action="store_true", help="Skip the pipeline run on pre-split words.")
    ap.add_argument("--show", type=int, default=8, help="Disagreement examples to print (default 8).")
    ap.add_argument("--json", action="store_true", help="Print the results as JSON on stdout (progress still goes to stderr).")
    ap.add_argument("-v", "--verbose", action="store_true", help="More logging.")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.batch_size < 1 or args.threads < 1 or (args.limit is not None and args.limit < 1):
        ap.error("--repeat, --batch-size, --threads and --limit must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    import torch
    import transformers
    from transformers.utils import logging as hf_logging

    if not args.verbose:
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    load_start = _load_average()
    if load_start is not None and load_start + args.threads > (os.cpu_count() or 1) + 0.5:
        log.warning("load average %.1f on %d CPUs before starting: other processes compete for the cores, so "
                    "timings will be noisy%s", load_start, os.cpu_count() or 1,
                    f" ({args.threads} torch threads may wait on each other; compare --threads 1)" if args.threads > 1 else "")

    import conflictner
    from conflictner.text import tokenize

    shared = find_shared(args.shared)
    reports = load_reports(shared, args.limit)
    ids, texts = [r[0] for r in reports], [r[1] for r in reports]
    words = [tokenize(t) for t in texts]
    n_tokens = sum(len(w) for w in words)
    log.info("%d reports, %d scheme tokens, %d characters (from %s)", len(texts), n_tokens, sum(map(len, texts)), shared)

    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        model_dir, origin = resolve_model(args, texts, Path(tmp))
        kw: dict[str, Any] = {"batch_size": args.batch_size, "max_length": args.max_length}
        if args.stride is not None:
            kw["stride"] = args.stride
        parser = conflictner.load(model_dir, **kw)
        capacity = parser.max_length - parser._specials
        stride = max(0, min(parser.stride, capacity // 2))  # what plan_windows actually uses
        parser.stride = stride
        runner = PipelineRunner(model_dir, parser.max_length, stride, args.batch_size)
        n_params = sum(p.numel() for p in parser.model.parameters())
        log.info("model %s (%s): %s parameters, %d tags; window %d subwords, stride %d, batch %d, torch threads %d",
                 model_dir, origin, f"{n_params:,}", len(parser.tags), parser.max_length, stride, args.batch_size,
                 torch.get_num_threads())

        last_reports: list[Any] = []

        def run_parse_batch() -> list[list[Span]]:
            reports = parser.parse_batch(texts)
            last_reports[:] = reports
            return conflictner_spans([r.entities for r in reports])

        systems: dict[str, Callable[[], list[list[Span]]]] = {
            "conflictner": run_parse_batch,
            "conflictner-entities": lambda: conflictner_spans(parser.predict_entities(texts)),
            "pipeline": lambda: runner.spans(texts),
        }
        if not args.no_words_variant:
            systems["pipeline-words"] = lambda: runner.word_spans(texts, words)

        # Warm-up: one untimed run of each system on the first reports (loads the
        # gazetteer, allocates torch's buffers, fills tokenizer caches).
        warm = texts[: min(3, len(texts))]
        parser.parse_batch(warm)
        runner.spans(warm)
        if not args.no_words_variant:
            runner.word_spans(warm, words[: len(warm)])

        times: dict[str, list[float]] = {name: [] for name in systems}
        outputs: dict[str, list[list[Span]]] = {}
        for rep in range(args.repeat):
            for name, fn in systems.items():  # interleaved, so drift hits every system alike
                sec, out = timed(fn)
                times[name].append(sec)
                outputs[name] = out
                log.info("pass %d/%d %-21s %.2f s", rep + 1, args.repeat, name, sec)
        incidents = sum(len(r.incidents) for r in last_reports)
        load = workload(parser, runner, texts, words)

    results: dict[str, Any] = {}
    for name, ts in times.items():
        med = statistics.median(ts)
        results[name] = {
            "wall_seconds": round(med, 3),
            "wall_seconds_min": round(min(ts), 3),
            "wall_seconds_all": [round(t, 3) for t in ts],
            "reports_per_s": round(len(texts) / med, 2),
            "tokens_per_s": round(n_tokens / med, 1),
            "entities": sum(len(x) for x in outputs[name]),
        }
    results["conflictner"]["incidents"] = incidents
    t_pipe = results["pipeline"]["wall_seconds"]
    ratio = {
        "conflictner_vs_pipeline": round(t_pipe / results["conflictner"]["wall_seconds"], 2),
        "conflictner_entities_vs_pipeline": round(t_pipe / results["conflictner-entities"]["wall_seconds"], 2),
    }
    agree = {"pipeline": agreement(texts, outputs["conflictner-entities"], outputs["pipeline"])}
    if "pipeline-words" in outputs:
        agree["pipeline-words"] = agreement(texts, outputs["conflictner-entities"], outputs["pipeline-words"])
    same = outputs["conflictner"] == outputs["conflictner-entities"]

    summary = {
        "model": str(model_dir), "model_origin": origin, "parameters": n_params, "tags": len(parser.tags),
        "reports": len(texts), "scheme_tokens": n_tokens, "characters": sum(map(len, texts)),
        "first_reports": ids[:3],
        "window_subwords": parser.max_length, "stride": stride, "batch_size": args.batch_size,
        "repeat": args.repeat, "torch_threads": torch.get_num_threads(),
        "pipeline_word_grouping": "continuing-subword prefix" if runner.word_aware else "whitespace fallback heuristic",
        "pipeline_spans_whitespace_trimmed": runner.trimmed,
        "parse_batch_entities_equal_predict_entities": same,
        "workload": load,
        "systems": results,
        "speed_ratio": ratio,
        "agreement": agree,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "conflictner": conflictner.__version__},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_1min": {"start": load_start, "end": _load_average()}},
    }
    if args.json:
        for a in summary["agreement"].values():
            a["examples"] = diverse(a["examples"], args.show)
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print_report(summary, args.show)
    return 0


def print_report(s: dict[str, Any], show: int) -> None:
    print(f"model: {s['model']} ({s['model_origin']}; {s['parameters']:,} parameters, {s['tags']} tags)")
    print(f"data: {s['reports']} reports, {s['scheme_tokens']:,} scheme tokens, {s['characters']:,} characters")
    la = s["machine"]["load_average_1min"]
    if la["start"] is not None:
        print(f"machine: {s['machine']['cpus']} CPUs, load average {la['start']} at start, {la['end']} at end")
    print(f"torch threads: {s['torch_threads']}  window: {s['window_subwords']} subwords  stride: {s['stride']}  "
          f"batch: {s['batch_size']}  repeat: {s['repeat']} (median pass reported)")
    w = s["workload"]
    print(f"fed to the model: conflictner {w['conflictner_windows']} windows, {w['conflictner_subwords']:,} subwords "
          f"({w['conflictner_padded']:,} positions with padding); pipeline {w['pipeline_chunks']} chunks, "
          f"{w['pipeline_subwords']:,} subwords ({w['pipeline_padded']:,} with padding; the texts alone: "
          f"{w['pipeline_text_subwords']:,})")
    print()
    print(f"{'system':22} {'wall s':>8} {'min s':>8} {'reports/s':>10} {'tokens/s':>10} {'entities':>9}")
    for name, r in s["systems"].items():
        print(f"{name:22} {r['wall_seconds']:8.2f} {r['wall_seconds_min']:8.2f} {r['reports_per_s']:10.2f} "
              f"{r['tokens_per_s']:10.0f} {r['entities']:9d}")
    print(f"(conflictner parse_batch also assembled {s['systems']['conflictner']['incidents']} incidents)")
    print()
    r = s["speed_ratio"]
    print(f"speed ratio conflictner/pipeline (pipeline time ÷ conflictner time; >1 = conflictner faster): "
          f"parse_batch {r['conflictner_vs_pipeline']:.2f}x, entities only {r['conflictner_entities_vs_pipeline']:.2f}x")
    print()
    print(f"pipeline word grouping: {s['pipeline_word_grouping']}; "
          f"{s['pipeline_spans_whitespace_trimmed']} pipeline spans had whitespace at an end (trimmed before comparing)")
    for name, a in s["agreement"].items():
        print(f"agreement conflictner vs {name}: exact-span F1 {a['exact']['f1']:.3f} "
              f"(P {a['exact']['precision']:.3f} R {a['exact']['recall']:.3f}; "
              f"{a['exact_matches']} of {a['conflictner_entities']} / {a['other_entities']}), overlap F1 {a['overlap']['f1']:.3f}")
        print("  unmatched spans: " + (", ".join(f"{k} {v}" for k, v in a["differences"].items()) or "none"))
        print("  exact F1 per label: " + ", ".join(f"{k} {v:.2f}" for k, v in a["exact_f1_per_label"].items()))
        for ex in diverse(a["examples"], show):
            print(f"    [{ex['kind']}] only in {ex['side']}: {ex['label']} {ex['text']!r}")


if __name__ == "__main__":
    sys.exit(main())
