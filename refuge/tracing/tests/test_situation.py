"""Tracing on the situation picture: open, found and reunified by province, no names."""

from refuge.conftest import bearer, make_household, member
from refuge.tracing import services
from refuge.tracing.tests.helpers import age_of, enquiry, sought


def test_the_dashboard_counts_requests_by_province_without_names(client, personas, reception):
    make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14"))
    officer = personas["tracing_officer"]
    found = enquiry(officer, sought("Анаит", "Оганесян", sex="F", age=age_of(1972))).sought.get()
    services.confirm(found.candidates.get(), user=officer)
    services.record_enquiry({"uuid": "7d0e4e8e-5a43-4d7e-9d5e-0f8a3c1b2a11",
                             "sought": [{"given_name": "Давид", "needs": "UAC", "age": 9}]},
                            user=officer, post=reception)
    client.force_login(personas["analyst"])
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="tracing-table"' in page
    assert "Анаит" not in page and "Давид" not in page
    answer = client.get("/api/situation", **bearer(personas["analyst"])).json()
    shown = answer["sections"]["tracing"]
    assert shown["open"] == 1 and shown["found"] == 1 and shown["children"] == 1
    syunik = next(p for p in shown["provinces"] if p["province"] == "Syunik")
    assert syunik["open"] == 1
