from django.conf import settings
from django.http import JsonResponse


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
                message = f"the request body is {length} bytes; the limit is {limit}"
                return JsonResponse(
                    {"errors": [{"field": "body", "message": message}]}, status=413
                )
        return get_response(request)

    return middleware
