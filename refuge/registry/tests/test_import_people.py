"""`refuge import-people` checks the whole file before it saves anything: every bad row is
reported with its line and field, and a file with one is not half-imported."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from refuge.registry.imports import import_people
from refuge.registry.models import Household, Person

pytestmark = pytest.mark.django_db

HEADER = "record_id,household_ref,given_name,family_name,sex,birth_date\n"


def spelt(number: int) -> str:
    """A number in letters (127: "bch"), for given names that tell rows apart."""
    return "".join(chr(ord("a") + int(digit)) for digit in str(number))


def good_rows(count: int, start: int = 1) -> str:
    return "".join(f"r{n},h{n // 3},Anahit{spelt(n)},Hovhannisyan,F,1972\n"
                   for n in range(start, start + count))


def run(path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_people", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_unclosed_quote_names_its_line_and_saves_nothing(tmp_path):
    """It used to save the first 5,000 rows, then print a traceback with no line."""
    path = tmp_path / "people.csv"
    path.write_text(HEADER + good_rows(5_200) + 'r9001,h9,"Anahit,Hovhannisyan,F,1972\n'
                    + good_rows(20, start=9002), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_people", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue() == ("line 5202: a quote opened on this line is never closed; "
                              "nothing after it was read\n")
    assert "nothing was imported: 1 bad row" in str(refused.value)
    assert not Person.objects.exists() and not Household.objects.exists()


def test_a_quoted_value_over_several_lines_keeps_the_lines_of_the_rows_after_it(tmp_path):
    text = (HEADER.replace("\n", ",note\n") + 'r1,h1,Anahit,Hovhannisyan,F,1972,"came with\n'
            'her sister"\nr2,h1,Armen,Hovhannisyan,M,19x9,\n')
    result = import_people(text, user=None)
    assert result.errors == ["line 4: birth_date 19x9 is not YYYY, YYYY-MM or YYYY-MM-DD"]


def test_every_bad_row_is_reported_by_line_and_field_and_nothing_is_saved(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + good_rows(6_000) + "r7001,h1,Armen,Hovhannisyan,M,1969-13\n"
                    + good_rows(10, start=7002) + "r8001,h1,Armen,Hovhannisyan,X,1969\n",
                    encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        out, err = run(path)
    summary = str(refused.value)
    assert "nothing was imported" in summary and "2 bad rows" in summary
    assert "--skip-bad-rows" in summary and "6,010 good" in summary
    assert not Person.objects.exists()


def test_the_bad_rows_are_listed_before_the_summary(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + good_rows(3) + "r7001,h1,Armen,Hovhannisyan,M,1969-13\n",
                    encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_people", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines()[0].startswith("line 5: birth_date ")


def test_skip_bad_rows_saves_the_good_ones_and_reports_the_bad(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + good_rows(6_000) + "r7001,h1,Armen,Hovhannisyan,M,1969-13\n"
                    + good_rows(10, start=7002), encoding="utf-8")
    out, err = run(path, "--skip-bad-rows")
    assert err.splitlines()[0].startswith("line 6002: birth_date ")
    assert Person.objects.count() == 6_010
    assert out.strip().splitlines()[-1] == (
        f"Imported {path}: 6,010 people in 2,005 new households; 0 already imported; "
        "1 bad row not imported (listed above).")


def test_skip_bad_rows_keeps_what_comes_before_an_unreadable_line(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + good_rows(4) + 'r9001,h9,"Anahit,Hovhannisyan,F,1972\n'
                    + good_rows(3, start=9002), encoding="utf-8")
    out, err = run(path, "--skip-bad-rows")
    assert "line 6: a quote opened on this line is never closed" in err
    assert Person.objects.count() == 4


def test_a_good_file_ends_with_a_one_line_summary_and_is_not_imported_twice(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + good_rows(5), encoding="utf-8")
    out, err = run(path)
    assert (out.strip(), err) == (
        f"Imported {path}: 5 people in 2 new households; 0 already imported.", "")
    out, _err = run(path)
    assert out.strip() == f"Imported {path}: 0 people in 0 new households; 5 already imported."
    assert Person.objects.count() == 5
