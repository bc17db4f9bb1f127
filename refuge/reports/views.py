from datetime import date

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.roles import CONFIGURE, VIEW_FIGURES, VIEW_PEOPLE, can
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.reports import charts, exports, pdf, queries
from refuge.reports.forms import ExpectedPopulationForm
from refuge.reports.models import Situation

REFRESH_SECONDS = 30


@requires(VIEW_FIGURES)
def home(request):
    return render(request, "reports/home.html", {"figures": queries.overview()})


@requires(VIEW_FIGURES)
def dashboard(request):
    """Crossed, registered and placed people, and who is most at risk, for coordinators."""
    picture = queries.picture()
    try:
        refresh = min(max(int(request.GET.get("refresh", REFRESH_SECONDS)), 2), 600)
    except ValueError:
        refresh = REFRESH_SECONDS
    context = {"picture": picture, "refresh_seconds": refresh, **charts.situation(picture),
               "sections": queries.shown_sections(picture),
               "may_configure": can(request.user, CONFIGURE),
               "expected_form": ExpectedPopulationForm(instance=Situation.current())}
    template = "reports/_figures.html" if request.GET.get("part") else "reports/dashboard.html"
    return render(request, template, context)


@requires(CONFIGURE)
@require_http_methods(["POST"])
def set_expected_population(request):
    situation = Situation.current()
    form = ExpectedPopulationForm(request.POST, instance=situation)
    if form.is_valid():
        situation = form.save(commit=False)
        situation.updated_by, situation.updated_at = request.user, timezone.now()
        situation.save()
        messages.success(request, _("Saved."))
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {errors[0]}")
    return redirect("dashboard")


def _report_day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@requires(VIEW_FIGURES)
def daily_report(request):
    """A printable page with the day's figures and charts."""
    day = _report_day(request)
    picture = queries.picture()
    today = next((d for d in picture.days if d.day == day), queries.Day(day))
    return render(request, "reports/daily.html", {
        "picture": picture, "day": day, "today": today, **charts.situation(picture),
        "fact_rows": queries.fact_rows(picture),
    })


@requires(VIEW_FIGURES)
def daily_report_pdf(request):
    day = _report_day(request)
    picture = queries.picture()
    figures_of_day = next((d for d in picture.days if d.day == day), queries.Day(day))
    try:
        document = pdf.daily_report(picture, date_format(day, "DATE_FORMAT"), figures_of_day)
    except pdf.FontMissing as missing:
        return HttpResponse(str(missing), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.export_name("report", "pdf", day)}"')
    return response


@requires(VIEW_FIGURES)
def export_figures(request, kind: str):
    """Aggregates for partners: cells under five people are left blank."""
    export = exports.FORMATS[kind]
    response = HttpResponse(export.build(), content_type=export.content_type)
    name = exports.export_name(export.name, export.extension, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(VIEW_PEOPLE)
def export_people(request):
    """Every person's record, for roles that may see names; written to the audit log."""
    audit.record(request.user, AuditEvent.EXPORT, "person", None, what="people.csv")
    response = StreamingHttpResponse(exports.people_csv_rows(),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.export_name("people", "csv", timezone.localdate())}"')
    return response
