"""CSV files people bring: rows read with their line numbers, problems reported by line."""

import csv
import io
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def read_rows(text: str, required: list[str], optional: list[str], errors: list[str]):
    """(line number, row) for each row of CSV text, values stripped and unknown columns
    left out; a missing column is reported in `errors` and no row is read.

    Read strictly: text that is not CSV (a quote opened and never closed, a character
    after a closing quote) ends the reading with a problem in `errors` that names the line
    where the row starts, since nothing after it can be told apart. A row's line is where
    it starts, counting the lines of any quoted value over several."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), strict=True)
    try:
        header = next(reader, [])
    except csv.Error as error:
        errors.append(unreadable(1, error))
        return
    columns = [c.strip() for c in header]
    missing = [c for c in required if c not in columns]
    if missing:
        errors.append(_("the file has no column %(columns)s (it needs %(needed)s)")
                      % {"columns": ", ".join(missing), "needed": ", ".join(required)})
        return
    wanted = [(index, name) for index, name in enumerate(columns) if name in required + optional]
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append(unreadable(line, error))
            return
        if not values:
            continue  # a blank line
        yield line, {name: values[index].strip() if index < len(values) else ""
                     for index, name in wanted}


def unreadable(line: int, error: csv.Error) -> str:
    """What stops the reading of a file, at the line where it starts."""
    reason = str(error)
    if "end of data" in reason or "field limit" in reason:
        # Strict reading meets the end of the file (or reads 128 KB into one value)
        # still inside the quotes.
        reason = _("a quote opened on this line is never closed")
    return _("line %(line)s: %(reason)s; nothing after it was read") % {
        "line": line, "reason": reason}


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
