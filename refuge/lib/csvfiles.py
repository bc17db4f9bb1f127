"""CSV files people bring: rows read with their line numbers, problems reported by line."""

import csv
import io
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def read_rows(text: str, required: list[str], optional: list[str], errors: list[str]):
    """(line number, row) for each row of CSV text, values stripped and unknown columns
    left out; a missing column is reported in `errors` and no row is read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in required if c not in columns]
    if missing:
        errors.append(_("the file has no column %(columns)s (it needs %(needed)s)")
                      % {"columns": ", ".join(missing), "needed": ", ".join(required)})
        return
    for line, raw in enumerate(reader, start=2):
        yield line, {(k or "").strip(): (v or "").strip() for k, v in raw.items()
                     if (k or "").strip() in required + optional}


def report_line(line: int, problems: list, errors: list[str]) -> None:
    for error in problems:
        errors.append(_("line %(line)s: %(field)s %(message)s")
                      % {"line": line, "field": error.field, "message": error.message})


def read_file(path: Path) -> str:
    """A CSV file's text for a command, or a CommandError that says what is wrong."""
    if not path.is_file():
        raise CommandError(f"{path} does not exist")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
