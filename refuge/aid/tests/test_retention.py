"""Payments' retention: a payment settled longer ago than the schedule loses the
provider's reference, and keeps what reconciliation and the figures need."""

from datetime import timedelta

import pytest
from django.utils import timezone

from refuge.aid import payments
from refuge.aid.models import Payment
from refuge.aid.tests.helpers import approved_cycle
from refuge.conftest import make_household, member
from refuge.registry import retention
from refuge.registry.models import RetentionRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(reception, registrar, personas, settings):
    """Two payments paid with the provider's reference: one eight years ago, one now."""
    settings.REFUGE_RETENTION_DAYS = {**settings.REFUGE_RETENTION_DAYS, "payments": 7 * 365}
    for given in ("Anahit", "Armen"):
        make_household(reception, registrar, member(given, birth_date="1985"))
    cycle = approved_cycle(personas["administrator"])
    rows = payments.payment_list_csv(cycle).splitlines()[1:]
    lines = "".join(f"{row.split(',')[0]},paid,BANK-{i}\n" for i, row in enumerate(rows))
    result = payments.import_results(cycle, "payment,status,reference\n" + lines)
    assert (result.paid, result.errors) == (2, [])
    old, recent = Payment.objects.order_by("pk")
    Payment.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=8 * 365))
    return old, recent


def test_a_dry_run_counts_the_old_references_and_changes_nothing(settled, personas):
    due = {d.purpose: d.count for d in retention.run(dry_run=True,
                                                      user=personas["administrator"])}
    assert due["payments"] == 1
    assert not Payment.objects.filter(reference="").exists()


def test_a_real_run_forgets_old_references_and_keeps_the_payment(settled, personas):
    old, recent = settled
    amount = old.amount
    retention.run(dry_run=False, user=personas["administrator"])
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.reference, old.status, old.amount) == ("", Payment.PAID, amount)
    assert recent.reference.startswith("BANK-")
    assert RetentionRun.objects.get().removed["payments"] == 1
    again = {d.purpose: d.count for d in retention.run(dry_run=True,
                                                        user=personas["administrator"])}
    assert again["payments"] == 0
