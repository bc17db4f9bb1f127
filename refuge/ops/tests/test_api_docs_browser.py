"""/api/docs works with no internet: Swagger UI's files are served by Refuge itself."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "[::1]"}


@pytest.mark.django_db
def test_the_api_docs_page_names_no_outside_host_and_its_assets_are_served():
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    for asset in assets:
        assert urlsplit(asset).netloc in ("", *LOCAL_HOSTS), asset
        if asset.startswith("/static/"):
            response = client.get(asset)
            assert response.status_code == 200, asset
            body = b"".join(response.streaming_content) if response.streaming else (
                response.content)
            assert b"cdn.jsdelivr" not in body and b"unpkg.com" not in body
    assert '"validatorUrl": null' in html  # no badge fetched from swagger.io


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_their_operations_with_the_network_cut_off(live_server, page):
    outside = []

    def only_this_machine(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_this_machine)
    page.goto(f"{live_server.url}/api/docs")
    operations = page.locator(".opblock")
    operations.first.wait_for()
    assert operations.count() >= 10
    assert page.get_by_text("/api/households").first.is_visible()
    assert outside == []
