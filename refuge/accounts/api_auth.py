"""Who is calling the API: a bearer token, or the browser's session (with its CSRF check).

`authorized(capability)` is the same, and refuses a role that may not do the operation
with a 403 before anything it sent is read, so a refused caller learns nothing about
what a valid body would be. The roles themselves are decided in roles.py.
"""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from refuge.accounts.models import ApiToken
from refuge.accounts.roles import ensure


class BearerToken(HttpBearer):
    """A token sent is the caller's only claim: a wrong one is a 401, even where a
    session would also do (never the session's "CSRF check failed")."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.objects.user_for_key(token)
        if user is None:
            raise AuthenticationError
        request.user = user
        return user


class _Capable:
    def __init__(self, capability: str):
        super().__init__()
        self.capability = capability

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user:
            ensure(user, self.capability)
        return user


class _CapableToken(_Capable, BearerToken):
    pass


class _CapableSession(_Capable, SessionAuth):
    pass


def authorized(capability: str) -> list:
    """The API's authentication for an operation only `capability` may use."""
    return [_CapableToken(capability), _CapableSession(capability)]
