"""`refuge import-tracing` and `refuge tracing --matches`: bad rows reported by line,
good rows kept, a file imported twice adds nothing, and the matches written."""

import csv

import pytest
from django.core.management import call_command

from refuge.conftest import make_household, member
from refuge.tracing.models import Enquiry, SoughtPerson
from refuge.tracing.tests.helpers import age_of

FILE = ("request_ref,enquiry_ref,sought_given_name,sought_family_name,sought_sex,sought_age,"
        "sought_birth_date,status,extra\n") + """R1,E1,Анаит,Оганесян,F,{age},,missing,ignored
R2,E1,Самвел,Оганесян,M,,1970,,
R3,E2,Арам,,M,,2090,,
R4,,Гаяне,Акопян,F,,,deceased,
"""


@pytest.fixture
def tracing_file(tmp_path):
    path = tmp_path / "requests.csv"
    path.write_text(FILE.format(age=age_of(1972)), encoding="utf-8")
    return path


def test_it_imports_good_rows_and_reports_bad_ones_by_line(db, tracing_file, capsys):
    call_command("import_tracing", str(tracing_file))
    out, err = capsys.readouterr()
    assert "line 4: sought_birth_date 2090 is in the future" in err
    assert "3 requests in 2 new enquiries" in out
    assert Enquiry.objects.get(reference="E1").sought.count() == 2
    assert SoughtPerson.objects.get(reference="R4").fate == SoughtPerson.DECEASED


def test_importing_the_same_file_twice_adds_nothing(db, tracing_file, capsys):
    call_command("import_tracing", str(tracing_file))
    call_command("import_tracing", str(tracing_file))
    assert "3 already imported" in capsys.readouterr().out
    assert SoughtPerson.objects.count() == 3


def test_matches_are_written_best_first_with_the_record_id(personas, reception, tracing_file,
                                                            tmp_path):
    household = make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14"))
    call_command("import_tracing", str(tracing_file))
    out = tmp_path / "matches.csv"
    call_command("tracing", matches=str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["request_ref"] == "R1"
    assert rows[0]["record_id"] == household.registration_number
    assert rows[0]["rank"] == "1"
    assert float(rows[0]["probability"]) >= 0.8
