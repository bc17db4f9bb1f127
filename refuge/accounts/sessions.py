"""Sessions that end after an idle time (settings.SESSION_COOKIE_AGE).

Django renews a session's expiry each time the session is saved. Saving it on every
request (SESSION_SAVE_EVERY_REQUEST) would add a write to every desk page; here a
signed-in session is saved at most once a minute, so it ends between the idle time and a
minute more after the last request."""

import time

RENEW_SECONDS = 60


def idle_expiry(get_response):
    def middleware(request):
        session = request.session
        if session.get("_auth_user_id"):
            now = int(time.time())
            if now - session.get("seen", 0) >= RENEW_SECONDS:
                session["seen"] = now
        return get_response(request)

    return middleware
