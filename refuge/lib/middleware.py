from django.conf import settings
from django.http import JsonResponse
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
        return get_response(request)

    return middleware
