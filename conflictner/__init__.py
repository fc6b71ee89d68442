"""conflictner: Arabic conflict reports to structured incidents.

Example:
    >>> import conflictner
    >>> report = conflictner.parse(open("report.txt", encoding="utf-8").read())  # doctest: +SKIP
    >>> for incident in report.incidents:                                         # doctest: +SKIP
    ...     print(incident.type, incident.killed)

The public surface is small: :func:`parse` (a cached default parser),
:func:`load` (a :class:`Parser` for any model folder), and the result classes.
"""

from __future__ import annotations

import datetime as _dt
import logging
import threading
from functools import lru_cache
from pathlib import Path

from .model import ModelError
from .parser import Parser
from .results import Casualties, Entity, Incident, Place, PlaceMention, Quantity, Report, TimeExpression

__all__ = [
    "parse",
    "load",
    "Parser",
    "ModelError",
    "Report",
    "Entity",
    "Incident",
    "Quantity",
    "Casualties",
    "Place",
    "PlaceMention",
    "TimeExpression",
    "__version__",
]

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_lock = threading.Lock()


def load(path: str | Path | None = None, **kwargs: object) -> Parser:
    """A :class:`Parser` for a model folder (the shipped model when ``path`` is None).

    Raises:
        ModelError: If the folder is missing, incomplete or corrupt (the message names it).
    """
    return Parser.from_pretrained(path, **kwargs)


@lru_cache(maxsize=1)
def _default_parser() -> Parser:
    return load()


def parse(text: str, *, report_date: _dt.date | str | None = None) -> Report:
    """Parse one report with the shipped model (loaded once, on first use).

    Args:
        text: The report, plain text.
        report_date: Date for relative times such as ``اليوم`` (ISO string or ``date``).

    Raises:
        TypeError: If ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() expects the report as str, got {type(text).__name__}")
    with _lock:
        parser = _default_parser()
    return parser.parse(text, report_date=report_date)
