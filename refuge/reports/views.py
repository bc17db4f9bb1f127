from datetime import date

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.roles import CONFIGURE, EXPORT_PEOPLE, VIEW_FIGURES, can
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import Problems
from refuge.registry.validation import clean_text
from refuge.reports import charts, exports, pdf, queries
from refuge.reports.forms import ExpectedPopulationForm
from refuge.reports.models import SituationSettings

REFRESH_SECONDS = 30


@requires(VIEW_FIGURES)
def home(request):
    return render(request, "reports/home.html", {"figures": queries.overview()})


@requires(VIEW_FIGURES)
def dashboard(request):
    """Crossed, registered and placed people, and who is most at risk, for coordinators."""
    picture = queries.situation_figures()
    try:
        refresh = min(max(int(request.GET.get("refresh", REFRESH_SECONDS)), 2), 600)
    except ValueError:
        refresh = REFRESH_SECONDS
    context = {"picture": picture, "refresh_seconds": refresh, **charts.situation(picture),
               "sections": queries.shown_sections(picture),
               "may_configure": can(request.user, CONFIGURE),
               "expected_form": ExpectedPopulationForm(instance=SituationSettings.current())}
    template = "reports/_figures.html" if request.GET.get("part") else "reports/dashboard.html"
    return render(request, template, context)


@requires(CONFIGURE)
@require_http_methods(["POST"])
def set_expected_population(request):
    situation = SituationSettings.current()
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
    picture = queries.situation_figures()
    today = next((d for d in picture.days if d.day == day), queries.Day(day))
    return render(request, "reports/daily.html", {
        "picture": picture, "day": day, "today": today, **charts.situation(picture),
        "fact_rows": queries.fact_rows(picture),
    })


@requires(VIEW_FIGURES)
def daily_report_pdf(request):
    day = _report_day(request)
    picture = queries.situation_figures()
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


@requires(EXPORT_PEOPLE)
@require_http_methods(["GET", "POST"])
def export_people(request):
    """Every person's record, for an administrator who states why; the purpose goes to
    the audit log with the export."""
    problems = Problems()
    if request.method == "POST":
        purpose = clean_text(request.POST.get("purpose"), "purpose", problems, 300)
        if len(purpose) < 10:
            problems.add("purpose", _("say what the list is for (10 characters at least)"))
        if not problems.errors:
            audit.record(request.user, AuditEvent.EXPORT, "person", None, what="people.csv",
                         purpose=purpose)
            response = StreamingHttpResponse(exports.people_csv_rows(),
                                             content_type="text/csv; charset=utf-8")
            name = exports.export_name("people", "csv", timezone.localdate())
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    errors = {e.field: e.message for e in problems.errors}
    return render(request, "reports/export_people.html", {"errors": errors},
                  status=422 if errors else 200)
