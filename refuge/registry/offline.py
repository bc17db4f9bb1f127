"""The desk and tally screens as an installable web app that works with no network:
its manifest, and the service worker that keeps the screens and their assets."""

import hashlib
import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

# The screens a registrar or a counter works in, kept for when the network is gone.
PAGES = ["/desk/", "/tally/"]
ASSETS = ["refuge/css/refuge.css", "refuge/js/desk.js", "refuge/js/offline.js",
          "refuge/icons/icon-192.png", "refuge/icons/icon-512.png"]


@lru_cache
def _version() -> str:
    """Changes whenever an asset does, so browsers drop the old copies."""
    digest = hashlib.sha256(render_to_string("offline/sw.js", _context("")).encode())
    for asset in ASSETS:
        with open(finders.find(asset), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


def _context(version: str) -> dict:
    offline_page = ("<!doctype html><meta charset=utf-8><title>Refuge</title><p>"
                    + _("No network, and this screen has not been opened on this device yet. "
                        "Open it once while the network is up; it then works without one.")
                    + "</p>")
    return {"version": version, "pages": json.dumps(PAGES),
            "assets": json.dumps([static(a) for a in ASSETS] + ["/manifest.webmanifest"]),
            "offline_page": json.dumps(offline_page)}


@never_cache
def service_worker(request):
    response = HttpResponse(render_to_string("offline/sw.js", _context(_version())),
                            content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request):
    body = render_to_string("offline/manifest.webmanifest", {
        "description": _("Registration desk and crossing tally, with or without a network")})
    return HttpResponse(body, content_type="application/manifest+json")
