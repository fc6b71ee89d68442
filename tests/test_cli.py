"""The command line: formats, batches, annotation tools, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictner.cli import app

from .conftest import EXAMPLE, example_text

runner = CliRunner()


@pytest.fixture()
def report_file(tmp_path: Path) -> Path:
    p = tmp_path / "report.txt"
    p.write_text(example_text(), encoding="utf-8")
    return p


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table", "acled-csv", "geojson"])
def test_parse_prints_every_format(tiny_model_dir: Path, report_file: Path, fmt: str) -> None:
    res = runner.invoke(app, ["parse", str(report_file), "--model", str(tiny_model_dir), "--format", fmt])
    assert res.exit_code == 0, res.output
    out = res.stdout
    if fmt == "json":
        data = json.loads(out)
        assert data["text"] == example_text()
        assert all(data["text"][e["start"] : e["end"]] == e["text"] for e in data["entities"])
    elif fmt == "jsonl":
        assert json.loads(out.splitlines()[0])["id"] == "report"
    elif fmt == "acled-csv":
        assert next(csv.reader(io.StringIO(out)))[:3] == ["event_id", "event_date", "event_type"]
    elif fmt == "geojson":
        assert json.loads(out)["type"] == "FeatureCollection"
    else:
        assert "report 1:" in out


def test_parse_reads_jsonl_batches_and_stdin(tiny_model_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps({"id": f"r{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(["قصف على حلب", "", "اشتباكات"])) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["parse", str(batch), "--model", str(tiny_model_dir), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["r0", "r1", "r2"]
    res = runner.invoke(app, ["parse", "-", "--model", str(tiny_model_dir)], input="قصف على حلب")
    assert res.exit_code == 0 and json.loads(res.stdout)["text"] == "قصف على حلب"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parse", "/no/such/file.txt"], "No such file"),
        (["parse", "{report}", "--model", "/no/such/model"], "does not exist"),
        (["parse", "{bad_jsonl}", "--model", "{model}"], "not valid JSON"),
        (["evaluate", "--model", "{model}", "--data", "/no/such/data"], "does not exist"),
        (["train", "--config", "/no/such.toml"], "cannot read config"),
    ],
)
def test_errors_are_one_line_and_non_zero(tiny_model_dir: Path, report_file: Path, tmp_path: Path, args: list[str], message: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n", encoding="utf-8")
    args = [a.format(report=report_file, model=tiny_model_dir, bad_jsonl=bad) for a in args]
    res = runner.invoke(app, args)
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], res.stderr


def test_annotations_validate_and_stats(tiny_corpus: Path) -> None:
    res = runner.invoke(app, ["annotations", "validate", str(tiny_corpus)])
    assert res.exit_code == 0 and "valid" in res.stdout
    res = runner.invoke(app, ["annotations", "stats", str(tiny_corpus), "--markdown"])
    assert res.exit_code == 0 and "| total |" in res.stdout


def test_validate_notes_test_sentences_that_occur_in_train_without_failing(tiny_corpus: Path) -> None:
    train = tiny_corpus / "train" / "deir-ez-zor.conll"
    test = tiny_corpus / "test" / "test-1.conll"
    # copy the test document's first sentence into the train document (as a quoted paragraph would be)
    first = test.read_text(encoding="utf-8").split("\n\n")[0].split("\n")
    sentence = "\n".join(line for line in first if line and not line.startswith("# "))
    text_path = tiny_corpus / "texts" / "deir-ez-zor.txt"
    words = [line.split("\t")[0] for line in sentence.split("\n")]
    text_path.write_text(text_path.read_text(encoding="utf-8").rstrip("\n") + "\n" + " ".join(words) + "\n", encoding="utf-8")
    train.write_text(train.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + sentence + "\n", encoding="utf-8")
    res = runner.invoke(app, ["annotations", "validate", str(tiny_corpus)])
    assert res.exit_code == 0 and "valid" in res.stdout, res.output
    assert f"note: test/test-1: 1 sentence(s), {len(words)} of" in res.stdout
    assert "test tokens in 1 sentence(s) also occur in train" in res.stdout


def test_validate_fails_with_locations_on_a_broken_copy(tiny_corpus: Path) -> None:
    p = tiny_corpus / "test" / "test-1.conll"
    p.write_text(p.read_text(encoding="utf-8").replace("\tB-ORG", "\tB-ORGANISATION", 1), encoding="utf-8")
    res = runner.invoke(app, ["annotations", "validate", str(tiny_corpus)])
    assert res.exit_code == 1
    assert f"{p}:" in res.stdout and "unknown tag 'B-ORGANISATION'" in res.stdout


def test_convert_round_trip_and_reports_unplaceable_spans(tiny_corpus: Path, tmp_path: Path) -> None:
    ls = tmp_path / "ls.json"
    back = tmp_path / "back.conll"
    assert runner.invoke(app, ["annotations", "convert", str(tiny_corpus), str(ls), "--from", "conll", "--to", "label-studio"]).exit_code == 0
    assert runner.invoke(app, ["annotations", "convert", str(ls), str(back), "--from", "label-studio", "--to", "conll"]).exit_code == 0
    from conflictner.corpus import load_corpus, read_conll

    docs = [d for split in load_corpus(tiny_corpus).values() for d in split]
    assert [(d.doc_id, d.sentences) for d in read_conll(back)] == [(d.doc_id, d.sentences) for d in docs]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "قصف على حلب", "entities": [{"start": 1, "end": 3, "label": "EVENT"}]}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["annotations", "convert", str(bad), str(tmp_path / "o.conll"), "--from", "jsonl", "--to", "conll"])
    assert res.exit_code == 2 and "not placed" in res.stderr and "1-3" in res.stderr


def test_preannotate_writes_label_studio_predictions(tiny_model_dir: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(example_text(), encoding="utf-8")
    out = tmp_path / "pre.json"
    res = runner.invoke(app, ["annotations", "preannotate", str(raw), str(out), "--model", str(tiny_model_dir)])
    assert res.exit_code == 0, res.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert tasks[0]["data"]["id"] == "a" and "predictions" in tasks[0]
    for r in tasks[0]["predictions"][0]["result"]:
        v = r["value"]
        assert example_text()[v["start"] : v["end"]] == v["text"] and 0 <= r["score"] <= 1


def test_example_report_exists_for_the_demo() -> None:
    assert EXAMPLE.exists(), "the README's demo parses ../shared/examples/deir-ez-zor-daily-report.txt"


def test_calibrate_stores_the_best_outside_weight_with_the_model(tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    (model / "train_report.json").write_text(json.dumps({"data": {}}), encoding="utf-8")
    before = (model / "config.json").read_text(encoding="utf-8")
    args = ["calibrate", "--model", str(model), "--data", str(tiny_corpus), "--weights", "1,2"]
    res = runner.invoke(app, [*args, "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "outside weight 1 " in res.stdout and "outside weight 2 " in res.stdout and "<- chosen" in res.stdout
    assert (model / "config.json").read_text(encoding="utf-8") == before  # a dry run changes nothing
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    weight = json.loads((model / "config.json").read_text(encoding="utf-8"))["conflictner_outside_weight"]
    report = json.loads((model / "train_report.json").read_text(encoding="utf-8"))
    assert weight in (1.0, 2.0) and report["calibration"]["outside_weight"] == weight
    assert report["calibration"]["data"] == f"{tiny_corpus} (dev)" and set(report["calibration"]["f1_by_weight"]) == {"1", "2"}
    import conflictner

    assert conflictner.load(model).outside_weight == weight


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--weights", "1,x"], "comma-separated numbers"), (["--weights", "1,0"], "positive"), (["--split", "nosuch"], "no documents")],
)
def test_calibrate_errors_are_clear(tiny_model_dir: Path, tiny_corpus: Path, extra: list[str], message: str) -> None:
    res = runner.invoke(app, ["calibrate", "--model", str(tiny_model_dir), "--data", str(tiny_corpus), *extra])
    assert res.exit_code != 0 and message in res.output


def test_calibrating_on_test_or_training_documents_warns(tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    from conflictner.corpus import load_corpus
    from conflictner.train import documents_hash

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    args = ["calibrate", "--model", str(model), "--data", str(tiny_corpus), "--dry-run"]
    res = runner.invoke(app, [*args, "--split", "test"])
    assert res.exit_code == 0 and "no longer held-out" in res.stderr
    dev = load_corpus(tiny_corpus, ["dev"])["dev"]
    (model / "train_report.json").write_text(json.dumps({"data": {"train_hashes": documents_hash(dev)}}), encoding="utf-8")
    res = runner.invoke(app, args)
    assert res.exit_code == 0 and "were trained on" in res.stderr


def test_evaluate_takes_an_outside_weight(tiny_model_dir: Path, tiny_corpus: Path) -> None:
    res = runner.invoke(app, ["evaluate", "--model", str(tiny_model_dir), "--data", str(tiny_corpus), "--outside-weight", "1e9", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["micro"]["precision"] == 0  # nothing is tagged
