"""Paying a cycle: one row per recipient, the provider's file with failed and bad rows,
reconciliation, and a failed payment re-issued once only."""

import csv
import io

import pytest
from openpyxl import load_workbook

from refuge.aid import payments, services
from refuge.aid.models import Payment
from refuge.aid.tests.helpers import approved_cycle, hand_over_body
from refuge.conftest import make_household, member
from refuge.lib.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(reception, registrar, personas):
    make_household(reception, registrar, member("Anahit", birth_date="1985", phone="+37491000001"),
                   member("Narek", birth_date="2016", relationship="child"))
    make_household(reception, registrar, member("Armen", birth_date="1970"))
    return approved_cycle(personas["administrator"])


def listed(cycle) -> list[dict]:
    return list(csv.DictReader(io.StringIO(payments.payment_list_csv(cycle))))


def test_the_payment_list_has_one_row_per_recipient_with_the_people_it_covers(cycle):
    rows = sorted(listed(cycle), key=lambda r: r["recipient_name"])
    assert [(r["recipient_name"], r["amount"], r["people"]) for r in rows] == [
        ("Anahit Hovhannisyan", "200000", "2"), ("Armen Hovhannisyan", "100000", "1")]
    assert len(rows[0]["people_covered"].split()) == 2
    assert listed(cycle) == [dict(r, status="sent") for r in listed(cycle)]  # nothing added
    assert Payment.objects.count() == 2


def test_the_payment_list_leaves_out_what_was_handed_over_at_a_point(cycle, personas,
                                                                   reception):
    armen = cycle.entitlements.get(person__given_name="Armen")
    services.hand_over(hand_over_body([armen], armen.person), user=personas["aid_officer"],
                       point=reception)
    assert [r["recipient_name"] for r in listed(cycle)] == ["Anahit Hovhannisyan"]


def test_the_payment_list_as_a_workbook(cycle):
    sheet = load_workbook(io.BytesIO(payments.payment_list_xlsx(cycle))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("payment", "recipient") and len(rows) == 3


def result_file(*rows) -> str:
    return "payment,status,reference,amount\n" + "\n".join(",".join(r) for r in rows) + "\n"


def test_a_providers_file_with_failed_rows_is_reconciled(cycle):
    anahit, armen = sorted(listed(cycle), key=lambda r: r["recipient_name"])
    result = payments.import_results(cycle, result_file(
        (anahit["payment"], "paid", "BANK-1", "200000"), (armen["payment"], "failed", "", "")))
    assert (result.paid, result.failed, result.errors) == (1, 1, [])
    (row,) = payments.reconciliation(cycle.programme)
    assert (row["province"], row["paid"], row["failed"], row["sent"]) == (
        "Syunik", 200_000, 100_000, 0)
    assert [m["kind"] for m in payments.mismatches(cycle.programme)] == ["failed"]


def test_every_bad_row_of_a_providers_file_is_reported_and_nothing_saved(cycle):
    anahit, armen = sorted(listed(cycle), key=lambda r: r["recipient_name"])
    result = payments.import_results(cycle, result_file(
        (anahit["payment"], "paid", "BANK-1", "150000"),
        (armen["payment"], "lost", "", ""),
        ("8d1b4f1e-0000-4000-8000-000000000000", "paid", "BANK-3", ""),
        (armen["payment"], "paid", "", "")))
    assert [(e.field, e.message) for e in result.errors] == [
        ("line 2.amount", "150000 differs from the 200000 planned"),
        ("line 3.status", "must be paid or failed"),
        ("line 4.payment", "is not a payment of this cycle"),
        ("line 5.reference", "a paid row needs the provider's reference")]
    assert set(Payment.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failed_payment_is_reissued_once_and_only_once(cycle):
    _anahit, armen = sorted(listed(cycle), key=lambda r: r["recipient_name"])
    payments.import_results(cycle, result_file((armen["payment"], "failed", "", "")))
    failed = Payment.objects.get(uuid=armen["payment"])
    again = payments.reissue(failed)
    assert (again.amount, again.reissue_of) == (100_000, failed)
    with pytest.raises(Conflict):
        payments.reissue(failed)
    payments.import_results(cycle, result_file((str(again.uuid), "failed", "", "")))
    with pytest.raises(Conflict):
        payments.reissue(Payment.objects.get(pk=again.pk))
    assert [m["kind"] for m in payments.mismatches(cycle.programme)] == ["failed_reissue"]
