"""Request bodies sent without a length (Transfer-Encoding: chunked).

gunicorn decodes the chunks and says so (`wsgi.input_terminated`), but Django reads
only CONTENT_LENGTH bytes, so a chunked body arrived empty ("body is required"). This
reads it, at most one byte over the API's limit so the limit still answers, and gives
Django its length.
"""

import io

from django.conf import settings


def with_chunked_bodies(application):
    def wrapped(environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            if not environ.get("wsgi.input_terminated"):
                start_response("411 Length Required", [("Content-Type", "text/plain")])
                return [b"Content-Length required"]
            limit = max(settings.REFUGE_API_MAX_BODY_BYTES,
                        settings.REFUGE_COLLECT_MAX_BYTES) + 1
            body = environ["wsgi.input"].read(limit)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return application(environ, start_response)

    return wrapped
