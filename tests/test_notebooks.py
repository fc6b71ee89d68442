"""The notebooks run headless, top to bottom, offline.

Each notebook is executed in a fresh kernel with nbclient (a timeout per cell).
The default run uses the session's tiny random model (``tiny_model_dir`` from
conftest.py) for ``01-parse`` and the notebook's own in-process tiny base for
``02-retrain``, so it needs no model files and takes well under a minute per notebook.
The variants marked ``model`` use the shipped model / the real base encoder
(``pytest -m model tests/test_notebooks.py``) and are skipped when those are missing.

The notebooks themselves are not modified by these tests; to re-save them with
outputs see notebooks/README.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conflictner.model import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PARSE_NB = NOTEBOOKS / "01-parse.ipynb"
RETRAIN_NB = NOTEBOOKS / "02-retrain.ipynb"
REAL_BASE = ROOT / "models" / "base-e5-small-trimmed"
#: Seconds a single cell may run (override with CONFLICTNER_NB_TIMEOUT).
CELL_TIMEOUT = int(os.environ.get("CONFLICTNER_NB_TIMEOUT", "300"))

pytest.importorskip("nbclient")
pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")


def execute_notebook(path: Path, env: dict[str, str | None], *, timeout: int = CELL_TIMEOUT):
    """Run a notebook in a new kernel (working directory: notebooks/); return the executed notebook.

    ``env`` changes the kernel's environment: a ``None`` value removes the variable.
    Raises ``nbclient.exceptions.CellExecutionError`` (with the cell's traceback) if a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    kernel_env = dict(os.environ)
    for key, value in env.items():
        if value is None:
            kernel_env.pop(key, None)
        else:
            kernel_env[key] = value
    kernel_env.setdefault("TOKENIZERS_PARALLELISM", "false")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=kernel_env)
    return nb


def output_text(nb) -> str:
    """All text the notebook's cells printed or displayed."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif out.get("output_type") in ("execute_result", "display_data"):
                data = out.get("data", {})
                parts.append(data.get("text/markdown", "") + data.get("text/plain", ""))
            elif out.get("output_type") == "error":
                parts.append("\n".join(out.get("traceback", [])))
    return "\n".join(parts)


def test_notebooks_exist_and_are_valid():
    import nbformat

    for path in (PARSE_NB, RETRAIN_NB):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        kinds = [c.cell_type for c in nb.cells]
        assert kinds[0] == "markdown" and "code" in kinds, path


def test_parse_notebook_with_tiny_model(tiny_model_dir: Path):
    nb = execute_notebook(PARSE_NB, {"CONFLICTNER_MODEL": str(tiny_model_dir)})
    text = output_text(nb)
    assert "the folder named by `CONFLICTNER_MODEL`" in text
    assert "tiny, untrained test model" in text  # the banner says the outputs are not meaningful
    assert "event_id,event_date,event_type,sub_event_type" in text  # the ACLED CSV header
    assert "GeoJSON features" in text
    assert "reports finished: 5" in text  # parse_batch over Syrian Archive reports


def test_retrain_notebook_with_tiny_base():
    nb = execute_notebook(RETRAIN_NB, {"CONFLICTNER_BASE": None})
    text = output_text(nb)
    assert "problems: none" in text and "validation problems: none" in text
    assert "tiny random model built above" in text
    assert "model written to" in text
    assert "micro" in text and "1 documents" in text  # the evaluation table of the test split
    assert "not held-out" in text  # the train-split evaluation is flagged


@pytest.mark.model
def test_parse_notebook_with_shipped_model():
    if not DEFAULT_MODEL_DIR.is_dir():
        pytest.skip(f"the shipped model {DEFAULT_MODEL_DIR} does not exist")
    nb = execute_notebook(PARSE_NB, {"CONFLICTNER_MODEL": None})
    text = output_text(nb)
    assert "the shipped model" in text
    assert "tiny, untrained test model" not in text
    assert "event_id,event_date,event_type,sub_event_type" in text


@pytest.mark.model
def test_retrain_notebook_with_real_base():
    if not REAL_BASE.is_dir():
        pytest.skip(f"the base encoder {REAL_BASE} does not exist (conflictner build-encoder)")
    nb = execute_notebook(RETRAIN_NB, {"CONFLICTNER_BASE": str(REAL_BASE)}, timeout=max(CELL_TIMEOUT, 1800))
    text = output_text(nb)
    assert "from `CONFLICTNER_BASE`" in text
    assert "model written to" in text and "micro" in text
