"""Training and evaluation end to end on a tiny model and a tiny corpus."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import conflictner
from conflictner.corpus import Document
from conflictner.train import (
    ConfigError,
    TrainConfig,
    _last_checkpoint,
    encode_documents,
    load_documents,
    oversample_windows,
    replace_mentions,
)

from .conftest import ROOT


def _config(tmp_path: Path, base: Path, corpus: Path, **extra: object) -> Path:
    lines = [
        "[model]", f'base = "{base}"', "max_length = 48",
        "[data]", f'train = ["{corpus}"]', f'dev = ["{corpus}"]',
        "[train]", "batch_size = 4", f'output_dir = "{tmp_path / "run"}"',
    ]
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    p = tmp_path / "cfg.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_config_overrides_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('[train]\nepochs = 3\n[model]\nbase = "x"\n', encoding="utf-8")
    cfg = TrainConfig.from_toml(p, ["train.epochs=1", "lr_head=0.01"])
    assert cfg.epochs == 1 and cfg.lr_head == 0.01 and cfg.base == "x"
    with pytest.raises(ConfigError, match="unknown config keys: bogus"):
        TrainConfig.from_toml(p, ["bogus=1"])
    with pytest.raises(ConfigError, match="expects"):
        TrainConfig.from_toml(p, ["epochs='many'"])
    cfg = TrainConfig.from_toml(p, ['train.rare_labels=["KILLED", "INJURED"]', "train.rare_repeat=2"])
    assert cfg.rare_labels == ["KILLED", "INJURED"] and cfg.rare_repeat == 2
    for bad in (['rare_labels=["KILED"]', "rare_repeat=2"], ["rare_repeat=0"]):
        with pytest.raises(ConfigError, match="rare_labels among"):
            TrainConfig.from_toml(p, bad)
    cfg = TrainConfig.from_toml(p, ['augment_labels="KILLED"', "augment_copies=2"])
    assert cfg.augment_labels == ["KILLED"] and cfg.augment_copies == 2
    for bad in (['augment_labels=["KILED"]'], ["augment_copies=0"]):
        with pytest.raises(ConfigError, match="augment_labels among"):
            TrainConfig.from_toml(p, bad)
    assert TrainConfig.from_toml(p, ['subword_labels="all"']).subword_labels == "all"
    with pytest.raises(ConfigError, match="subword_labels must be one of"):
        TrainConfig.from_toml(p, ['subword_labels="last"'])


def _doc(*sentences: str) -> Document:
    """A document from sentences written as ``word/TAG`` tokens (``O`` when there is no tag)."""
    return Document("d", "", [[(w.partition("/")[0], w.partition("/")[2] or "O") for w in s.split()] for s in sentences])


def test_mention_replacement_swaps_only_the_chosen_labels_and_keeps_the_rest() -> None:
    doc = _doc(
        "مقتل/B-KILLED 3/I-KILLED مدنيين/I-KILLED في/O حلب/B-LOC",
        "قصف/B-EVENT على/O إدلب/B-LOC",
        "سقوط/O قتيلين/B-KILLED و/O جرحى/B-INJURED",
    )
    out = replace_mentions([doc], ["KILLED"], copies=3, seed=1)
    assert [d.doc_id for d in out] == ["d#mr0", "d#mr1", "d#mr2"]
    for d in out:
        first, last = d.sentences  # the sentence without a KILLED span is not copied
        assert first[-2:] == [("في", "O"), ("حلب", "B-LOC")]
        assert first[:-2] == [("قتيلين", "B-KILLED")]  # the only other KILLED mention
        assert last[0] == ("سقوط", "O") and last[1] == ("مقتل", "B-KILLED")
        assert last[2:4] == [("3", "I-KILLED"), ("مدنيين", "I-KILLED")] and last[-1] == ("جرحى", "B-INJURED")
    assert replace_mentions([doc], ["KILLED"], 2, seed=1) == replace_mentions([doc], ["KILLED"], 2, seed=1)
    assert replace_mentions([doc], ["ACTOR"], 1, seed=1) == []


@pytest.mark.parametrize(
    ("labels", "repeat", "expected"),
    [
        ([[0, 1, 2], [0, 0], [0, 2]], 3, [[0, 1, 2]] * 3 + [[0, 0]] + [[0, 2]] * 3),  # B- or I- of a rare label
        ([[0, 1, 2], [0, 0]], 1, [[0, 1, 2], [0, 0]]),  # 1 = off
        ([[0, -100], [0, 0]], 2, [[0, -100], [0, 0]]),  # no rare label: nothing repeated
    ],
)
def test_windows_with_rare_labels_are_oversampled(labels: list[list[int]], repeat: int, expected: list[list[int]]) -> None:
    got = oversample_windows([{"labels": x} for x in labels], {1, 2}, repeat)
    assert [ex["labels"] for ex in got] == expected


def test_labels_sit_on_first_subwords_only(tiny_model_dir: Path, tiny_corpus: Path) -> None:
    from transformers import AutoTokenizer

    from conflictner.labels import bio_tags

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    tags = bio_tags()
    docs = load_documents([tiny_corpus], "dev")
    ex = encode_documents(docs, tok, {t: i for i, t in enumerate(tags)}, 48)
    n_labelled = sum(1 for e in ex for lab in e["labels"] if lab != -100)
    assert n_labelled == len(docs[0].tokens)  # one label per word, nothing dropped
    assert all(len(e["input_ids"]) <= 48 for e in ex)
    assert all(e["labels"][0] == -100 and e["labels"][-1] == -100 for e in ex)


def test_labels_sit_on_every_subword_when_asked(tiny_model_dir: Path, tiny_corpus: Path) -> None:
    from transformers import AutoTokenizer

    from conflictner.labels import bio_tags

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    tag2id = {t: i for i, t in enumerate(bio_tags())}
    docs = load_documents([tiny_corpus], "dev")
    first = encode_documents(docs, tok, tag2id, 48)
    every = encode_documents(docs, tok, tag2id, 48, "all")
    assert [e["input_ids"] for e in every] == [e["input_ids"] for e in first]  # same windows
    for f, a in zip(first, every):
        # each word's first-subword tag is repeated on its other subwords, which "first" masks
        expected, tag = [], -100
        for x in f["labels"][1:-1]:
            tag = x if x != -100 else tag
            expected.append(tag)
        assert a["labels"][1:-1] == expected and -100 not in expected
        assert a["labels"][0] == a["labels"][-1] == -100  # special tokens stay unlabelled
    with pytest.raises(ValueError, match="subword_labels"):
        encode_documents(docs, tok, tag2id, 48, "last")


def test_train_then_evaluate_on_a_tiny_corpus(tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictner.cli import app

    cfg = _config(tmp_path, tiny_model_dir, tiny_corpus, epochs=2)
    runner = CliRunner()
    res = runner.invoke(app, ["train", "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    model = tmp_path / "run" / "model"
    report = json.loads((model / "train_report.json").read_text(encoding="utf-8"))
    assert report["tags"][0] == "O" and report["config"]["epochs"] == 2
    assert len(report["data"]["train_hashes"]) == 1 and "dev_f1" in report["metrics"]["main"]
    assert not list(model.glob("*.bin")) and list(model.glob("*.safetensors"))
    # checkpoints record the window length too, so a parser reading one uses the fine-tuning length
    checkpoints = sorted((tmp_path / "run").glob("checkpoint-*"))
    assert checkpoints
    for folder in [model, *checkpoints]:
        assert json.loads((folder / "config.json").read_text())["conflictner_max_length"] == report["config"]["max_length"]

    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(tiny_corpus), "--split", "test", "--json"])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.output)
    assert set(scores["micro"]) == {"precision", "recall", "f1"} and scores["documents"] == 1
    assert scores["warnings"] == []  # the test document was never trained on

    # early stopping chose the model on the score evaluate reports for it: whole dev documents
    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(tiny_corpus), "--split", "dev", "--json"])
    assert res.exit_code == 0, res.output
    dev = json.loads(res.stdout)
    main = report["metrics"]["main"]
    assert 0 < main["best_epoch"] <= 2 and "dev_epoch" not in main
    cal = report["calibration"]
    assert (cal["dev"]["precision"], cal["dev"]["recall"], cal["dev"]["f1"], cal["dev"]["macro_f1"]) == pytest.approx(
        (dev["micro"]["precision"], dev["micro"]["recall"], dev["micro"]["f1"], dev["macro"]["f1"]))
    # the outside weight was chosen on dev after training and saved with the model; weight 1 is what training saw
    assert json.loads((model / "config.json").read_text())["conflictner_outside_weight"] == cal["outside_weight"]
    assert set(cal["f1_by_weight"]) == {"1", "1.5", "2", "3", "5"} and cal["f1_by_weight"]["1"] == pytest.approx(main["dev_f1"])
    assert cal["dev"]["f1"] == max(cal["f1_by_weight"].values())
    # described as `conflictner calibrate` describes it
    assert cal["data"] == f"{tiny_corpus} (dev)"

    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(tiny_corpus), "--split", "train"])
    assert res.exit_code == 0
    assert "not held-out" in res.output

    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(tiny_corpus), "--decoding", "argmax", "--json"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(tiny_corpus), "--unseen-only", "--json"])
    assert res.exit_code == 0, res.output
    assert "left out 0 sentence(s), 0 tokens" in res.stderr and json.loads(res.stdout)["documents"] == 1
    test_file = next((tiny_corpus / "test").glob("*.conll"))
    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(test_file), "--unseen-only"])
    assert res.exit_code != 0 and "needs a corpus folder" in res.stderr
    res = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(tiny_corpus), "--decoding", "beam"])
    assert res.exit_code != 0


def test_a_model_trained_on_every_subword_is_scored_and_loaded_with_mean_aggregation(
    tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path
) -> None:
    from conflictner.evaluate import evaluate
    from conflictner.train import train

    final = train(TrainConfig.from_toml(_config(tmp_path, tiny_model_dir, tiny_corpus), ["epochs=1", 'subword_labels="all"']))
    assert json.loads((final / "config.json").read_text())["conflictner_aggregation"] == "mean"
    parser = conflictner.load(final)
    assert parser.aggregation == "mean"
    # training chose and calibrated on the scores the mean-aggregating parser gives
    cal = json.loads((final / "train_report.json").read_text())["calibration"]
    dev = evaluate(parser, load_documents([tiny_corpus], "dev"))
    assert cal["dev"]["f1"] == pytest.approx(dev.micro["f1"])


def test_training_is_deterministic_with_a_seed(tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    from conflictner.train import train

    outs = []
    for k in range(2):
        d = tmp_path / str(k)
        d.mkdir()
        # with every source of randomness on: shuffling, dropout, token dropout, mention replacement
        cfg = TrainConfig.from_toml(_config(d, tiny_model_dir, tiny_corpus),
                                    ["epochs=1", "token_dropout=0.2", 'augment_labels=["LOC"]'])
        final = train(cfg)
        assert json.loads((final / "train_report.json").read_text())["data"]["augmented_sentences"] > 0
        outs.append(load_file(str(final / "model.safetensors")))
    assert outs[0].keys() == outs[1].keys()
    assert all((outs[0][k] == outs[1][k]).all() for k in outs[0])


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        ({}, None),
        ({"checkpoint-5": "{}"}, "checkpoint-5"),
        ({"checkpoint-5": "{}", "checkpoint-10": "{}"}, "checkpoint-10"),  # by step, not by name
        ({"checkpoint-5": "{}", "checkpoint-10": None}, "checkpoint-5"),  # killed before its state was written
        ({"checkpoint-5": "{}", "checkpoint-10": '{"epoch": 1.'}, "checkpoint-5"),  # killed mid-write
        ({"checkpoint-5": None}, None),
        ({"checkpoint-best": "{}", "checkpoint-3": "{}"}, "checkpoint-3"),
    ],
)
def test_resume_picks_the_newest_complete_checkpoint(folders: dict[str, str | None], expected: str | None, tmp_path: Path) -> None:
    for name, state in folders.items():
        (tmp_path / name).mkdir()
        if state is not None:
            (tmp_path / name / "trainer_state.json").write_text(state, encoding="utf-8")
    found = _last_checkpoint(tmp_path)
    assert (Path(found).name if found else None) == expected


def test_an_interrupted_run_resumes_from_its_checkpoint(tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    # Enough epochs, and no early stop, that the tiny run cannot finish between its first checkpoint
    # and the kill (its dev F1 stays flat, so patience would end it after a few quick epochs).
    epochs = 20
    cfg = _config(tmp_path, tiny_model_dir, tiny_corpus, epochs=epochs, patience=epochs)
    cmd = [sys.executable, "-m", "conflictner.cli", "train", "--config", str(cfg)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # stderr to a file, not a pipe nobody reads while waiting: a full pipe would stall the run
    log_file = (tmp_path / "first-run.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log_file, env=env, start_new_session=True)
    run = tmp_path / "run"
    deadline = time.time() + 240
    # wait for a *complete* checkpoint: killing while its state is half written would leave nothing to resume
    while time.time() < deadline and _last_checkpoint(run) is None:
        if proc.poll() is not None:
            pytest.fail(f"training ended before a checkpoint: {(tmp_path / 'first-run.log').read_text()[-2000:]}")
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    log_file.close()
    last = _last_checkpoint(run)
    assert last is not None, "no complete checkpoint within the deadline"
    first = Path(last)
    assert not (run / "model").exists()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert f"resuming from {first}" in res.stderr
    state = json.loads(sorted(run.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))[-1].joinpath("trainer_state.json").read_text())
    assert state["epoch"] >= epochs - 1e-6 or state.get("global_step", 0) > int(first.name.split("-")[1])
    assert (run / "model" / "train_report.json").exists()


@pytest.mark.parametrize("stage", ["mix", "pretrain"])
def test_auxiliary_corpora_join_training_or_come_first(stage: str, tiny_model_dir: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    from conflictner.train import train

    aux = tmp_path / "aux.txt"
    aux.write_text("قصف B-LOC\nحلب I-LOC\nأمس O\n\nقال O\nأحمد B-PERS\n\n", encoding="utf-8")
    cfg = _config(tmp_path, tiny_model_dir, tiny_corpus, epochs=1)
    text = cfg.read_text(encoding="utf-8").replace(
        "[train]", f'aux_stage = "{stage}"\naux = [{{ path = "{aux}", format = "anercorp", weight = 1.0 }}]\n[train]')
    cfg.write_text(text, encoding="utf-8")
    report = json.loads((train(TrainConfig.from_toml(cfg)) / "train_report.json").read_text(encoding="utf-8"))
    assert report["data"]["windows"]["aux"] >= 1  # sentences are packed into windows
    assert ("aux" in report["metrics"]) == (stage == "pretrain")
    assert "dev_f1" in report["metrics"]["main"]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "configs").glob("*.toml")))
def test_every_shipped_config_loads_and_its_project_files_exist(name: str) -> None:
    cfg = TrainConfig.from_toml(ROOT / "configs" / name)
    # Paths inside the project (corpus, silver corpus) ship with it; ../shared and models/ are built or mounted.
    local = [p for p in [*cfg.train, *cfg.dev, *(a.path for a in cfg.aux)] if not p.startswith("..")]
    missing = [p for p in local if not (ROOT / p).exists()]
    assert not missing, f"{name} names files that are not in the project: {missing}"


@pytest.mark.parametrize("grouped", [False, True])
def test_group_by_length_batches_windows_of_similar_length(grouped: bool, tiny_model_dir: Path, tiny_corpus: Path,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers.trainer

    from conflictner.train import train

    batches: list[list[int]] = []
    real = transformers.trainer.LengthGroupedSampler

    class Recording(real):  # type: ignore[misc, valid-type]
        def __iter__(self):  # type: ignore[no-untyped-def]
            order = list(super().__iter__())
            batches.extend(order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size))
            return iter(order)

    monkeypatch.setattr(transformers.trainer, "LengthGroupedSampler", Recording)
    cfg = TrainConfig.from_toml(_config(tmp_path, tiny_model_dir, tiny_corpus, epochs=1, group_by_length=grouped))
    assert (train(cfg) / "model.safetensors").exists()
    assert bool(batches) == grouped
    if grouped:
        # the sampler's own promise: the longest window comes in the first batch
        lengths = [len(x) for x in _encoded_windows(tiny_model_dir, tiny_corpus)]
        assert max(lengths[i] for i in batches[0]) == max(lengths)


def _encoded_windows(base: Path, corpus: Path) -> list[list[int]]:
    from transformers import AutoTokenizer

    from conflictner.labels import bio_tags

    tags = bio_tags(TrainConfig().labels)
    tok = AutoTokenizer.from_pretrained(str(base))
    return [e["input_ids"] for e in encode_documents(load_documents([corpus], "train"), tok, {t: i for i, t in enumerate(tags)}, 48)]


@pytest.mark.parametrize(("decay", "expected"), [(1.0, [2e-4]), (0.5, [2e-4, 1e-4, 5e-5])])
def test_layer_decay_lowers_rates_towards_the_embeddings(tiny_model_dir: Path, decay: float, expected: list[float]) -> None:
    from transformers import AutoModelForTokenClassification

    from conflictner.train import optimizer_groups

    model = AutoModelForTokenClassification.from_pretrained(str(tiny_model_dir))
    assert model.config.num_hidden_layers == 2
    groups = optimizer_groups(model, TrainConfig(lr_encoder=2e-4, lr_head=2e-3, layer_decay=decay))
    assert [g["lr"] for g in groups] == pytest.approx([*expected, 2e-3])
    trained = {id(p) for g in groups for p in g["params"]}
    for name, p in model.named_parameters():
        # Every parameter is trained once, except the frozen word embeddings.
        assert (id(p) in trained) == ("word_embeddings" not in name), name
        assert p.requires_grad == ("word_embeddings" not in name)
    top = {id(p) for p in groups[0]["params"]}
    assert all(id(p) in top for n, p in model.named_parameters() if ".layer.1." in n)
    # without decay the whole encoder is one group, as before layer decay existed
    assert (len(groups) == 2) == (decay == 1.0)


@pytest.mark.parametrize(("key", "good", "bad"), [
    ("layer_decay", 0.8, ("0.0", "1.5")),
    ("label_smoothing", 0.1, ("-0.1", "1.0")),
    ("token_dropout", 0.1, ("-0.1", "1.0")),
])
def test_settings_outside_their_range_are_refused(key: str, good: float, bad: tuple[str, ...], tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(f"[train]\n{key} = {good}\n", encoding="utf-8")
    assert getattr(TrainConfig.from_toml(p), key) == good
    for value in bad:
        with pytest.raises(ConfigError, match=key):
            TrainConfig.from_toml(p, [f"{key}={value}"])
