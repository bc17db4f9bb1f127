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

from refuge.registry import rules

# The screens a registrar, a counter or an aid officer works in, kept for when the
# network is gone (paths only: the aid app's page is named, not imported).
PAGES = ["/desk/", "/tally/", "/aid/"]
ASSETS = ["refuge/css/refuge.css", "refuge/js/desk.js", "refuge/js/matches.js",
          "refuge/js/reading.js", "refuge/js/offline.js", "refuge/js/aid.js",
          "refuge/vendor/jsQR.js", "refuge/icons/icon-192.png", "refuge/icons/icon-512.png"]
# Served by the app rather than from static files, since they are made from Python's rules.
MADE = ["/rules.js"]


@lru_cache
def _version() -> str:
    """Changes whenever an asset does, so browsers drop the old copies."""
    digest = hashlib.sha256(render_to_string("offline/sw.js", _context("")).encode())
    for asset in ASSETS:
        with open(finders.find(asset), "rb") as f:
            digest.update(f.read())
    digest.update(rules.shared_rules_script().encode())
    return digest.hexdigest()[:12]


def _context(version: str) -> dict:
    offline_page = ("<!doctype html><meta charset=utf-8><title>Refuge</title><p>"
                    + _("No network, and this screen has not been opened on this device yet. "
                        "Open it once while the network is up; it then works without one.")
                    + "</p>")
    return {"version": version, "pages": json.dumps(PAGES),
            "assets": json.dumps([static(a) for a in ASSETS] + MADE + ["/manifest.webmanifest"]),
            "offline_page": json.dumps(offline_page)}


@never_cache
def service_worker(request):
    response = HttpResponse(render_to_string("offline/sw.js", _context(_version())),
                            content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def rules_script(request):
    """The desk's reading rules as a script: RefugeRules (see refuge.registry.rules)."""
    response = HttpResponse(rules.shared_rules_script(),
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # kept fresh by the service worker's version
    return response


def manifest(request):
    body = render_to_string("offline/manifest.webmanifest", {
        "description": _("Registration desk and crossing tally, with or without a network")})
    return HttpResponse(body, content_type="application/manifest+json")
