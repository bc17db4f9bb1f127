"""Paying a cycle through a bank or mobile money: the payment list, the provider's result
file, reconciliation, and a failed payment re-issued once.

One payment per recipient and cycle (a database constraint), covering the entitlements
of everyone whose share that recipient receives."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from refuge.aid.models import Cycle, Entitlement, HandOver, Payment, PaymentLine, Programme
from refuge.aid.services import is_uuid
from refuge.lib.csvfiles import read_rows
from refuge.lib.errors import Conflict, FieldError, StateConflict

COLUMNS = ["payment", "recipient", "recipient_name", "registration_number", "phone",
           "amount", "unit", "people", "people_covered", "status"]
RESULT_STATUSES = {Payment.PAID, Payment.FAILED}


@transaction.atomic
def plan_payments(cycle: Cycle) -> int:
    """Plan one payment per recipient for what is due in an approved cycle and not handed
    over or paid already; returns how many were added. Running it again adds nothing."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_approved:
        raise Conflict("cycle", _("approve the cycle before paying it"))
    open_ = (Entitlement.objects.filter(cycle=cycle, status=Entitlement.DUE,
                                        hand_over__isnull=True)
             .exclude(payment_lines__isnull=False)
             .values_list("pk", "recipient_id", "amount"))
    by_recipient: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, recipient, amount in open_:
        by_recipient[recipient].append((pk, amount))
    taken = set(Payment.objects.filter(cycle=cycle, recipient_id__in=list(by_recipient),
                                       reissue_of__isnull=True)
                .values_list("recipient_id", flat=True))
    payments = [Payment(cycle=cycle, recipient_id=r, amount=sum(a for _pk, a in lines),
                        people=len(lines)) for r, lines in by_recipient.items() if r not in taken]
    Payment.objects.bulk_create(payments)
    saved = dict(Payment.objects.filter(cycle=cycle, reissue_of__isnull=True,
                                        recipient_id__in=[p.recipient_id for p in payments])
                 .values_list("recipient_id", "pk"))
    PaymentLine.objects.bulk_create([
        PaymentLine(payment_id=saved[p.recipient_id], entitlement_id=pk)
        for p in payments for pk, _amount in by_recipient[p.recipient_id]])
    return len(payments)


def payment_rows(cycle: Cycle) -> list[dict]:
    """The payment list: one row per payment, with its total and the people it covers.
    Planning is done first; payments still planned are marked sent."""
    plan_payments(cycle)
    payments = list(Payment.objects.filter(cycle=cycle).exclude(status=Payment.PAID)
                    .exclude(status=Payment.FAILED)
                    .select_related("recipient__household__registered_at",
                                    "cycle__programme").order_by("id"))
    covered: dict[int, list[str]] = defaultdict(list)
    for payment_id, person_uuid in (PaymentLine.objects
                                    .filter(payment_id__in=[p.pk for p in payments])
                                    .values_list("payment_id", "entitlement__person__uuid")):
        covered[payment_id].append(str(person_uuid))
    Payment.objects.filter(pk__in=[p.pk for p in payments], status=Payment.PLANNED).update(
        status=Payment.SENT, updated_at=timezone.now())
    return [{"payment": str(p.uuid), "recipient": str(p.recipient.uuid),
             "recipient_name": p.recipient.full_name,
             "registration_number": p.recipient.household.registration_number,
             "phone": p.recipient.phone, "amount": p.amount, "unit": cycle.programme.unit,
             "people": p.people, "people_covered": " ".join(covered[p.pk]),
             "status": Payment.SENT} for p in payments]


def payment_list_csv(cycle: Cycle) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(payment_rows(cycle))
    return out.getvalue()


def payment_list_xlsx(cycle: Cycle) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Payments"))
    sheet.append(COLUMNS)
    for row in payment_rows(cycle):
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    paid: int = 0
    failed: int = 0
    errors: list[FieldError] = field(default_factory=list)


@transaction.atomic
def import_results(cycle: Cycle, text: str) -> ImportResult:
    """Read a provider's result file (columns payment, status: paid or failed, reference,
    and optionally amount). Every bad row is reported, by line; if any is bad nothing
    is saved, so the corrected file can be sent again whole."""
    result = ImportResult()
    problems: list[str] = []
    rows = list(read_rows(text, ["payment", "status"], ["reference", "amount"], problems))
    for message in problems:
        result.errors.append(FieldError("file", message))
    payments = {str(p.uuid): p for p in Payment.objects.select_for_update().filter(
        cycle=cycle, uuid__in=[r["payment"] for _line, r in rows if is_uuid(r["payment"])])}
    seen: set[str] = set()
    for line, row in rows:
        where = f"line {line}"
        payment = payments.get(row["payment"].lower())
        status = row["status"].lower()
        if payment is None:
            result.errors.append(FieldError(f"{where}.payment",
                                            _("is not a payment of this cycle")))
        elif row["payment"].lower() in seen:
            result.errors.append(FieldError(f"{where}.payment", _("is listed twice")))
        elif status not in RESULT_STATUSES:
            result.errors.append(FieldError(f"{where}.status", _("must be paid or failed")))
        elif payment.status == Payment.PAID and status == Payment.FAILED:
            result.errors.append(FieldError(f"{where}.status",
                                            _("this payment was reported paid before")))
        elif row.get("amount") and row["amount"] != str(payment.amount):
            result.errors.append(FieldError(
                f"{where}.amount", _("%(amount)s differs from the %(planned)s planned")
                % {"amount": row["amount"], "planned": payment.amount}))
        elif status == Payment.PAID and not row.get("reference"):
            result.errors.append(FieldError(f"{where}.reference",
                                            _("a paid row needs the provider's reference")))
        else:
            seen.add(row["payment"].lower())
            payment.status, payment.reference = status, row.get("reference", "")
            payment.updated_at = timezone.now()
            result.paid += status == Payment.PAID
            result.failed += status == Payment.FAILED
    if result.errors:
        transaction.set_rollback(True)
        result.paid = result.failed = 0
        return result
    Payment.objects.bulk_update([payments[key] for key in seen],
                                ["status", "reference", "updated_at"])
    return result


@transaction.atomic
def reissue(payment: Payment) -> Payment:
    """Re-issue a failed payment, once: a second attempt, or a re-issue of a re-issue,
    is refused (the one-to-one key refuses it too)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.FAILED:
        raise StateConflict([FieldError("payment", _("only a failed payment can be re-issued"))])
    if payment.reissue_of_id is not None or Payment.objects.filter(reissue_of=payment).exists():
        raise Conflict("payment", _("this payment was re-issued already: once only"))
    again = Payment.objects.create(cycle=payment.cycle, recipient=payment.recipient,
                                   amount=payment.amount, people=payment.people,
                                   reissue_of=payment)
    PaymentLine.objects.bulk_create([PaymentLine(payment=again, entitlement_id=e) for e in
                                     payment.lines.values_list("entitlement_id", flat=True)])
    return again


def reconciliation(programme: Programme) -> list[dict]:
    """Planned, sent, paid and failed amounts per cycle and province (where the
    recipient's household registered), with what does not add up."""
    rows: dict[tuple, dict] = {}
    totals = (Payment.objects.filter(cycle__programme=programme)
              .values("cycle__number", "recipient__household__registered_at__province",
                      "status").annotate(amount=Sum("amount"), payments=Count("id")))
    for total in totals:
        key = (total["cycle__number"], total["recipient__household__registered_at__province"])
        row = rows.setdefault(key, {"cycle": key[0], "province": key[1], "planned": 0,
                                    "sent": 0, "paid": 0, "failed": 0, "reissued": 0})
        row[total["status"]] += total["amount"]
    # A failed payment re-issued is owed by its re-issue, not twice: shown apart.
    for failed in (Payment.objects.filter(cycle__programme=programme, status=Payment.FAILED,
                                          reissue__isnull=False)
                   .values("cycle__number", "recipient__household__registered_at__province")
                   .annotate(amount=Sum("amount"))):
        key = (failed["cycle__number"], failed["recipient__household__registered_at__province"])
        rows[key]["reissued"] += failed["amount"]
    return [rows[key] for key in sorted(rows)]


def mismatches(programme: Programme) -> list[dict]:
    """Each thing to follow up: a payment failed and not re-issued, an entitlement both
    paid and handed over, a paid payment whose lines do not add up to its amount."""
    found = []
    for payment in (Payment.objects.filter(cycle__programme=programme, status=Payment.FAILED,
                                           reissue__isnull=True)
                    .select_related("cycle")):
        kind = "failed_reissue" if payment.reissue_of_id else "failed"
        found.append({"kind": kind, "cycle": payment.cycle.number,
                      "payment": str(payment.uuid), "amount": payment.amount})
    both = (HandOver.objects.filter(entitlement__cycle__programme=programme)
            .filter(entitlement__payment_lines__payment__status=Payment.PAID)
            .values_list("entitlement__uuid", "entitlement__cycle__number",
                         "entitlement__amount").distinct())
    for uuid, number, amount in both:
        found.append({"kind": "paid_and_handed_over", "cycle": number,
                      "entitlement": str(uuid), "amount": amount})
    for payment in (Payment.objects.filter(cycle__programme=programme, status=Payment.PAID)
                    .annotate(lines_total=Sum("lines__entitlement__amount"))
                    .exclude(lines_total=F("amount")).select_related("cycle")):
        found.append({"kind": "amount", "cycle": payment.cycle.number,
                      "payment": str(payment.uuid), "amount": payment.amount})
    return found

