from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def api_body_limit(get_response):
    """Refuse oversize API bodies with the API's error shape, before anything reads them."""

    def middleware(request):
        if request.path.startswith("/api/"):
            limit = settings.REFUGE_API_MAX_BODY_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                message = _("the request body is %(length)s bytes; the limit is %(limit)s") % {
                    "length": length, "limit": limit}
                return JsonResponse(
                    {"errors": [{"field": "body", "message": message}]}, status=413
                )
            if length and not _is_json(request.META.get("CONTENT_TYPE", "")) and (
                    _sends_something(request)):
                message = _("send JSON, with Content-Type: application/json")
                return JsonResponse(
                    {"errors": [{"field": "body", "message": message}]}, status=415
                )
        return get_response(request)

    return middleware


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _sends_something(request) -> bool:
    """An empty form (what a client sends for "POST, no body") is nothing sent."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return bool(request.POST or request.FILES)
    return True


def no_nul_bytes(get_response):
    """Refuse a NUL character anywhere in a query string or a form, with a 400 naming the
    field: no text column can hold one (PostgreSQL refuses it, deep in whatever query
    first meets it). JSON bodies are checked field by field, with the other problems
    (refuge.registry.validation.clean_text)."""

    def middleware(request):
        field = _field_with_nul(request)
        if field is None:
            return get_response(request)
        message = _("contains a NUL character")
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": [{"field": field, "message": message}]},
                                status=400)
        return HttpResponseBadRequest(f"{field}: {message}", content_type="text/plain")

    return middleware


def _field_with_nul(request) -> str | None:
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "") or "query"
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "") or "body"
    return None
