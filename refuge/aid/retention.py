"""Payments' retention rule (refuge.registry.retention): a payment settled longer ago
than the payments schedule keeps its amount, status, cycle and the (pseudonymous once
erased) recipient, so reconciliation and the figures stay right, and loses the provider's
reference, the one thing of a person's account that payments keep of their own."""

from datetime import datetime

from django.utils import timezone

from refuge.aid.models import Payment
from refuge.registry.models import PAYMENTS
from refuge.registry.retention import rule


def settled_before(cutoff: datetime):
    """Payments paid or failed, unchanged since `cutoff`, that still hold a reference."""
    return (Payment.objects.filter(status__in=(Payment.PAID, Payment.FAILED),
                                   updated_at__lt=cutoff)
            .exclude(reference=""))


@rule(PAYMENTS)
def forget_old_references(cutoff: datetime, *, dry_run: bool, user, progress=None) -> int:
    old = settled_before(cutoff)
    if dry_run:
        return old.count()
    forgotten = old.update(reference="", updated_at=timezone.now())
    if progress:
        progress(forgotten)
    return forgotten
