"""Aggregation on small known data, small-cell suppression, and HXL that libhxl accepts."""

import csv
import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import hxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from refuge.conftest import bearer, make_household, member
from refuge.registry import corrections, counting, crossings, services
from refuge.registry.models import CrossingFigure, RegistrationFigure
from refuge.reports import exports, queries
from refuge.reports.models import SituationSettings

pytestmark = pytest.mark.django_db
YEREVAN = ZoneInfo("Asia/Yerevan")


def cross(post, user, people, when=None):
    payload = {"uuid": str(uuid.uuid4()), "people_aboard": people}
    if when:
        payload["counted_at"] = when
    return crossings.record_tally(payload, user=user, post=post)[0]


@pytest.fixture
def week(reception, crossing, registrar):
    """Two families registered at Goris and seven people crossing at Kornidzor."""
    make_household(reception, registrar,
                   member("Anahit", sex="F", birth_date="1950", needs=["OP", "DIS"]),
                   member("Armen", relationship="spouse", sex="M", birth_date="1948"),
                   member("Hayk", relationship="grandchild", sex="M", birth_date="age 7"))
    make_household(reception, registrar,
                   member("Karine", sex="F", birth_date="1990", needs=["PREG"]),
                   member("Mariam", relationship="child", sex="F", birth_date="age 2"))
    cross(crossing, registrar, 4)
    cross(crossing, registrar, 3)


def test_the_picture_counts_crossed_registered_and_waiting(week):
    picture = queries.situation_figures()
    assert (picture.crossed, picture.registered, picture.backlog) == (7, 5, 2)
    assert picture.households == 2
    assert picture.sections["shelter"]["households_waiting"] == 2
    assert picture.days[-1].crossed == 7 and picture.days[-1].registered == 5
    assert sum(h.crossed for h in picture.hours) == 7
    assert {p.code: (p.crossed, p.registered) for p in picture.posts} == {
        "KOR": (7, 0), "GOR": (0, 5)}
    needs = {n["code"]: n["people"] for n in picture.needs}
    assert needs["OP"] == 1 and needs["DIS"] == 1 and needs["PREG"] == 1 and needs["UAC"] == 0
    assert picture.sexes == {"F": 3, "M": 2}


def test_the_pyramid_puts_people_in_their_age_band(week):
    bands = {row["band"]: (row["F"], row["M"]) for row in queries.pyramid()}
    assert bands["0–4"] == (1, 0)
    assert bands["5–11"] == (0, 1)
    assert bands["70–79"] == (1, 1)  # born 1950 and 1948
    assert sum(f + m for f, m in bands.values()) == 5


def test_the_expected_population_gives_a_share(week):
    SituationSettings.objects.create(expected_population=20)
    assert queries.situation_figures().crossed_share == 35


def test_days_are_local_days_and_cumulative(reception, crossing, registrar):
    day_one = datetime(2023, 9, 24, 23, 30, tzinfo=YEREVAN)  # 19:30 UTC, still the 24th here
    cross(crossing, registrar, 5, day_one)
    cross(crossing, registrar, 6, day_one + timedelta(hours=2))  # 01:30 on the 25th
    days = queries.situation_figures().days
    assert [(d.day.isoformat(), d.crossed, d.crossed_total) for d in days[:2]] == [
        ("2023-09-24", 5, 5), ("2023-09-25", 6, 11)]


def test_the_days_are_bounded_however_old_a_date_sent(reception, crossing, registrar,
                                                      personas, settings):
    settings.REFUGE_FIGURE_DAYS = 10
    cross(crossing, registrar, 5, datetime(1990, 1, 1, 12, tzinfo=YEREVAN))
    cross(crossing, registrar, 6)
    days = queries.situation_figures().days
    assert len(days) == 10
    assert days[0].crossed_total == 5 and days[-1].crossed_total == 11
    response = Client(**bearer(personas["analyst"])).get("/api/situation")
    assert response.status_code == 200 and len(response.json()["days"]) == 10


def test_corrections_and_moves_keep_the_figures_exact(week, reception, registrar):
    anahit = queries.Person.objects.get(given_name="Anahit")
    corrections.update_person(anahit, {"needs": ["MED"], "sex": "F", "birth_date": "1951"},
                           user=registrar)
    other = make_household(reception, registrar, member("Lilit"))
    corrections.move_person(queries.Person.objects.get(given_name="Hayk"), other, user=registrar)
    incremental = set(RegistrationFigure.objects.filter(people__gt=0).values_list(
        "hour", "post_id", "sex", "age_band", "need", "people"))
    counting.recount()
    rebuilt = set(RegistrationFigure.objects.values_list(
        "hour", "post_id", "sex", "age_band", "need", "people"))
    assert incremental == rebuilt
    needs = {n["code"]: n["people"] for n in queries.needs()}
    assert needs["MED"] == 1 and needs["OP"] == 0


def test_a_retried_registration_is_counted_once(reception, registrar):
    payload = {"uuid": str(uuid.uuid4()), "members": [member("Anahit")]}
    services.register_household(payload, user=registrar, post=reception)
    services.register_household(payload, user=registrar, post=reception)
    assert queries.situation_figures().registered == 1


def test_the_demo_and_a_recount_agree(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", people=500, stdout=io.StringIO())
    before = queries.situation_figures()
    counting.recount()
    after = queries.situation_figures()
    assert (before.crossed, before.registered) == (after.crossed, after.registered)
    assert before.registered == queries.Person.objects.count()
    assert CrossingFigure.objects.count() > 0


def test_small_cells_are_suppressed_in_partner_exports(week):
    rows = exports.by_date_and_province()
    syunik = rows[-1]
    assert syunik["province"] == "Syunik" and syunik["province_code"] == "AM-SU"
    assert syunik["crossed"] == 7 and syunik["people"] == 5
    assert syunik["female"] == "" and syunik["male"] == ""  # 3 and 2: too few to show
    assert syunik["children"] == "" and syunik["elderly"] == ""
    assert exports.suppress(0) == 0 and exports.suppress(4) == "" and exports.suppress(5) == 5


def test_the_hxl_export_is_valid_hxl(week):
    text = exports.figures_csv(hxl=True)
    source = hxl.data(hxl.input.make_input(io.BytesIO(text.encode())))
    tags = [column.display_tag for column in source.columns]
    assert tags == ["#date", "#adm1+name", "#adm1+code", "#affected+idps+ind",
                    "#affected+idps+ind+f", "#affected+idps+ind+m",
                    "#affected+idps+ind+children", "#affected+idps+ind+elderly",
                    "#affected+crossed+ind"]
    problems = []
    schema = hxl.schema([
        ["#valid_tag", "#valid_required", "#valid_datatype"],
        ["#date", "true", "date"],
        ["#adm1+name", "true", "text"],
        ["#adm1+code", "true", "text"],
        ["#affected", "", "number"],
    ], callback=problems.append)
    assert schema.validate(source), [str(p) for p in problems]
    rows = list(hxl.data(hxl.input.make_input(io.BytesIO(text.encode()))))
    assert rows[-1].get("#affected+idps+ind") == "5"
    assert rows[-1].get("#affected+crossed") == "7"
    assert rows[-1].get("#adm1+code") == "AM-SU"


def test_the_hxl_command_writes_the_same_file(week, tmp_path):
    out = tmp_path / "figures.csv"
    stdout = io.StringIO()
    call_command("export", "hxl", "--out", str(out), stdout=stdout)
    assert out.read_text() == exports.figures_csv(hxl=True)
    assert "Wrote hxl figures" in stdout.getvalue()
    call_command("export", "csv", "--out", str(tmp_path / "plain.csv"), stdout=io.StringIO())
    header = next(csv.reader(io.StringIO((tmp_path / "plain.csv").read_text())))
    assert header[0] == "Date" and "#date" not in (tmp_path / "plain.csv").read_text()


def test_the_export_command_names_a_missing_folder(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--out"):
        call_command("export", "hxl", "--out", str(tmp_path / "nowhere" / "f.csv"))
    with pytest.raises(CommandError, match="is a folder"):
        call_command("export", "hxl", "--out", str(tmp_path))


def test_the_xlsx_has_a_sheet_per_table(week):
    book = load_workbook(io.BytesIO(exports.figures_xlsx()))
    assert book.sheetnames == ["By date and province", "Daily", "Posts", "Age and sex",
                               "Specific needs"]
    posts = {row[0]: row for row in book["Posts"].iter_rows(min_row=2, values_only=True)}
    assert posts["KOR"][4] == 7 and posts["GOR"][5] == 5


def test_the_daily_report_pdf_is_a_pdf(week, personas):
    client = Client()
    client.force_login(personas["analyst"])
    for language in ("en", "hy", "ru"):
        client.cookies["django_language"] = language
        response = client.get("/reports/daily.pdf")
        assert response.status_code == 200, response.content[:200]
        assert response.content.startswith(b"%PDF")
    page = client.get("/reports/daily/")
    assert page.status_code == 200 and "<svg" in page.content.decode()


@pytest.mark.parametrize("role", ["analyst", "tracing_officer", "aid_officer",
                                  "shelter_manager", "registrar"])
def test_only_administrators_may_export_people(week, personas, role):
    client = Client()
    client.force_login(personas[role])
    assert client.get("/exports/people.csv").status_code == 403
    assert client.post("/exports/people.csv", {"purpose": "a list for the ICRC"}
                       ).status_code == 403


def test_people_exports_need_a_stated_purpose_kept_in_the_audit_log(week, personas):
    from refuge.audit.models import AuditEvent

    admin = Client()
    admin.force_login(personas["administrator"])
    assert admin.get("/exports/people.csv").status_code == 200  # the form asking why
    refused = admin.post("/exports/people.csv", {"purpose": "x"})
    assert refused.status_code == 422 and not AuditEvent.objects.filter(
        action="export").exists()
    response = admin.post("/exports/people.csv",
                          {"purpose": "Lists for the Goris food distribution"})
    body = b"".join(response.streaming_content).decode()
    assert "Anahit" in body and body.count("\n") == 6
    event = AuditEvent.objects.get(action="export", user=personas["administrator"])
    assert event.detail["purpose"] == "Lists for the Goris food distribution"


def test_an_analyst_sees_figures_but_never_a_name(week, personas):
    client = Client()
    client.force_login(personas["analyst"])
    names = ["Anahit", "Armen", "Hayk", "Karine", "Mariam", "Hovhannisyan"]
    for url in ["/", "/dashboard/", "/dashboard/?part=1", "/reports/daily/",
                "/exports/figures.csv", "/exports/figures.hxl", "/api/situation",
                "/api/figures", "/api/posts"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not any(name in response.content.decode() for name in names), url
    xlsx = client.get("/exports/figures.xlsx").content
    book = load_workbook(io.BytesIO(xlsx))
    cells = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for c in row)
    assert not any(name in cells for name in names)


def test_only_administrators_set_the_expected_population(personas):
    for persona, allowed in (("analyst", False), ("administrator", True)):
        client = Client()
        client.force_login(personas[persona])
        response = client.post("/dashboard/expected/", {"expected_population": "120000"})
        assert response.status_code == (302 if allowed else 403)
    assert SituationSettings.current().expected_population == 120000


def test_a_hidden_sex_cell_hides_the_other_too(reception, registrar):
    make_household(reception, registrar, *[member(n, sex="F") for n in
                                           ("Anahit", "Karine", "Mariam", "Lilit", "Nare")],
                   member("Armen", sex="M"))
    row = exports.by_date_and_province()[-1]
    assert row["people"] == 6 and row["female"] == "" and row["male"] == ""


def test_a_tally_sent_late_through_the_api_counts_in_its_own_hour(crossing, personas):
    import json

    from refuge.conftest import bearer

    client = Client(**bearer(personas["registrar"]))
    when = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    body = {"uuid": str(uuid.uuid4()), "post": "KOR", "people_aboard": 5,
            "counted_at": when.isoformat()}
    response = client.post("/api/tallies", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert CrossingFigure.objects.get().hour == counting.hour_of(when)
    for bad, message in (("2023-09-26T14:05:00", "needs a time zone"),
                         ("yesterday", "date and time (ISO 8601)"),
                         ((timezone.now() + timedelta(hours=2)).isoformat(), "in the future")):
        response = client.post("/api/tallies", json.dumps(
            {**body, "uuid": str(uuid.uuid4()), "counted_at": bad}),
            content_type="application/json")
        assert response.status_code == 422
        assert message in response.json()["errors"][0]["message"]
        assert response.json()["errors"][0]["field"] == "counted_at"


def test_babies_and_the_old_are_in_the_right_age_groups(reception, registrar):
    make_household(reception, registrar, member("Anahit", sex="F", birth_date="age 0"),
                   member("Armen", sex="M", birth_date="age 60"),
                   member("Hayk", sex="M", birth_date="age 18"))
    bands = {row["band"]: (row["F"], row["M"]) for row in queries.pyramid()}
    assert bands["0–4"] == (1, 0) and bands["60–69"] == (0, 1) and bands["18–24"] == (0, 1)
    assert bands["80+"] == (0, 0)


def test_concurrent_corrections_leave_the_figures_exact(reception, crossing, registrar):
    tally = cross(crossing, registrar, 5)
    stale = type(tally).objects.get(pk=tally.pk)
    crossings.correct_tally(tally, {"people_aboard": 7}, user=registrar)
    crossings.correct_tally(stale, {"people_aboard": 7}, user=registrar)  # a retried PATCH
    assert queries.situation_figures().crossed == 7
    person = make_household(reception, registrar, member("Anahit", needs=["OP"])).members.get()
    stale_person = type(person).objects.get(pk=person.pk)
    corrections.update_person(person, {"needs": ["MED"]}, user=registrar)
    corrections.update_person(stale_person, {"needs": ["MED"]}, user=registrar)
    needs = {n["code"]: n["people"] for n in queries.needs()}
    assert needs["MED"] == 1 and needs["OP"] == 0


def test_placements_are_counted_per_day_and_to_date(week, reception, registrar, personas):
    from refuge.shelter import services as shelter
    from refuge.shelter.models import Site

    hotel = Site.objects.create(name="Hotel", province="Syunik", beds=10)
    households = list(queries.Household.objects.all())
    first = shelter.place(households[0], hotel, user=personas["shelter_manager"])
    shelter.place(households[1], hotel, user=personas["shelter_manager"])
    shelter.check_out(first, user=personas["shelter_manager"])
    staying = households[1].members.count()
    picture = queries.situation_figures()
    # Checked in minus checked out: the day's net change, and the total in shelter.
    assert picture.days[-1].placed == staying and picture.days[-1].placed_total == staying
    assert sum(h.placed for h in picture.hours) == staying
    assert picture.placed == staying
    assert picture.sections["shelter"]["provinces"][0]["taken"] == staying


def test_a_move_does_not_rewrite_the_day_someone_arrived(reception, crossing, registrar):
    from refuge.accounts.models import Post

    vayk = Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk", province="Vayots Dzor")
    here = make_household(reception, registrar, member("Anahit"), member("Armen"))
    there = make_household(vayk, registrar, member("Karine"))
    before = {p.code: p.registered for p in queries.situation_figures().posts}
    corrections.move_person(here.members.get(given_name="Armen"), there, user=registrar)
    after = {p.code: p.registered for p in queries.situation_figures().posts}
    assert before == after == {"GOR": 2, "KOR": 0, "VAY": 1}


def test_the_report_font_is_cut_to_the_scripts_a_report_prints(settings, tmp_path):
    from fontTools.ttLib import TTFont

    from refuge.reports import pdf

    settings.VAR_DIR = tmp_path
    pdf.report_font.cache_clear()
    try:
        cut = pdf.report_font("DejaVuSans.ttf")
        assert cut.parent == tmp_path / "fonts"
        font, whole = TTFont(cut), TTFont(pdf.font_path("DejaVuSans.ttf"))
        letters = font.getBestCmap()
        assert all(ord(c) in letters for c in "AzԱֆЖя№—·%ბ")
        assert len(font.getGlyphOrder()) < len(whole.getGlyphOrder()) / 2
        assert pdf.report_font("DejaVuSans.ttf") == cut  # made once
    finally:
        pdf.report_font.cache_clear()
