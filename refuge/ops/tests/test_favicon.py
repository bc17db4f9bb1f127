"""Refuge has its own icon: in every page's head, and at /favicon.ico for the rest."""

import io
import re

import pytest
from django.test import Client
from PIL import Image


def served(client: Client, url: str) -> bytes:
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_favicon_ico_is_served_and_every_page_names_the_icon(registrar, reception):
    client = Client()
    icon = Image.open(io.BytesIO(served(client, "/favicon.ico")))
    assert icon.format == "ICO" and {(16, 16), (32, 32)} <= icon.info["sizes"]
    client.force_login(registrar)
    for url in ("/login/", "/", "/search/"):
        html = served(client, url).decode()
        links = re.findall(r'<link rel="icon" href="([^"]+)"', html)
        assert links, url
        for link in links:
            assert served(client, link)
