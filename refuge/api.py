"""The JSON API: one NinjaAPI, token or session authentication, one error shape.

Errors always look like {"errors": [{"field": "members[2].birth_date",
"message": "2031 is in the future"}]}, whatever raised them.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from refuge.accounts.api_auth import BearerToken
from refuge.aid.api import router as aid_router
from refuge.aid.services import AlreadyHandedOver
from refuge.audit.api import router as audit_router
from refuge.forecast.api import router as forecast_router
from refuge.lib.errors import Conflict, Invalid, StateConflict, shown
from refuge.lib.openapi import document_errors
from refuge.lib.pagination import BadCursor
from refuge.matching.api import router as matching_router
from refuge.registry.api import router as registry_router
from refuge.registry.privacy_api import router as privacy_router
from refuge.registry.services import AlreadyRegistered
from refuge.reports.api import figures_router
from refuge.reports.api import router as reports_router
from refuge.shelter.api import router as shelter_router
from refuge.tracing.api import router as tracing_router


class StrictJson(Parser):
    """JSON as a careful partner sends it: a key given twice is refused, not the last
    one silently kept."""

    def parse_body(self, request):
        def no_repeats(pairs):
            seen = set()
            for key, _value in pairs:
                if key in seen:
                    request.json_problem = _("the key %(key)s is given twice") % {
                        "key": shown(key)}
                    raise ValueError(key)
                seen.add(key)
            return dict(pairs)

        return json.loads(request.body, object_pairs_hook=no_repeats)


class RefugeApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema of every operation, with the errors they all can answer."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)

    def get_openapi_operation_id(self, operation) -> str:
        # The registry's API is a package, one module per resource; its operations keep the
        # ids they had as one module, so clients generated from the schema still work.
        module = operation.view_func.__module__
        if module.startswith("refuge.registry.api."):
            module = "refuge.registry.api"
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = RefugeApi(
    parser=StrictJson(),
    title="Refuge API",
    version="1",
    description="Registration, tallies and search for Refuge. Creates are idempotent on the "
    "client's UUID.",
    auth=[BearerToken(), django_auth],
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI's files come from django-ninja's static files ("ninja" is an installed
    # app), never a CDN: a crossing point has no internet. No validator badge either,
    # which would send the schema to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    urls_namespace="api",
)


def errors(request, status: int, items: list[dict]):
    return api.create_response(request, {"errors": items}, status=status)


# Pydantic's error types in the registrar's words (and language).
PYDANTIC_MESSAGES = {
    "extra_forbidden": gettext_lazy("is not a known field"),
    "missing": gettext_lazy("is required"),
    "string_type": gettext_lazy("must be text"),
    "string_too_long": gettext_lazy("is too long"),
    "int_type": gettext_lazy("must be a whole number"),
    "int_parsing": gettext_lazy("must be a whole number"),
    "uuid_parsing": gettext_lazy("must be a UUID"),
    "uuid_type": gettext_lazy("must be a UUID"),
    "list_type": gettext_lazy("must be a list"),
    "model_type": gettext_lazy("must be an object"),
    "model_attributes_type": gettext_lazy("must be an object"),
    "dict_type": gettext_lazy("must be an object"),
    "bool_type": gettext_lazy("must be true or false"),
    "datetime_parsing": gettext_lazy("must be a date and time (ISO 8601)"),
    "datetime_type": gettext_lazy("must be a date and time (ISO 8601)"),
    "int_from_float": gettext_lazy("must be a whole number"),
    "float_type": gettext_lazy("must be a number"),
    "float_parsing": gettext_lazy("must be a number"),
    "bool_parsing": gettext_lazy("must be true or false"),
    "too_long": gettext_lazy("is too long"),
    "string_too_short": gettext_lazy("is too short"),
    "list_too_long": gettext_lazy("is too long"),
    "json_invalid": gettext_lazy("is not valid JSON"),
}


def field_path(loc) -> str:
    """('body', 'payload', 'members', 2, 'birth_date') -> 'members[2].birth_date'."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def pydantic_message(error: dict) -> str:
    if error.get("type") == "value_error" and error.get("ctx", {}).get("error"):
        return str(error["ctx"]["error"])  # our own validators' words
    kind = error.get("type", "")
    if kind.startswith("datetime"):
        return str(PYDANTIC_MESSAGES["datetime_parsing"])
    return str(PYDANTIC_MESSAGES.get(kind, _("is not valid")))


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    items = [
        {"field": field_path(error.get("loc", ())), "message": pydantic_message(error)}
        for error in exc.errors
    ]
    return errors(request, 422, items or [{"field": "body", "message": _("is not valid")}])


@api.exception_handler(Invalid)
def on_invalid(request, exc: Invalid):
    return errors(request, 422, [e.as_dict() for e in exc.errors])


@api.exception_handler(StateConflict)
def on_state_conflict(request, exc: StateConflict):
    return errors(request, 409, [e.as_dict() for e in exc.errors])


@api.exception_handler(AlreadyRegistered)
def on_already_registered(request, exc: AlreadyRegistered):
    """The household exists: a 409 that names it, so the client can add the new members
    to it (send `household`)."""
    return errors(request, 409, [{**e.as_dict(), "household": str(exc.household.uuid)}
                                 for e in exc.errors])


@api.exception_handler(AlreadyHandedOver)
def on_already_handed_over(request, exc: AlreadyHandedOver):
    """Each entitlement handed over before, with the hand-over that took it."""
    return errors(request, 409, exc.as_dicts())


@api.exception_handler(Conflict)
def on_conflict(request, exc: Conflict):
    return errors(request, 409, [{"field": exc.field, "message": exc.message}])


@api.exception_handler(BadCursor)
def on_bad_cursor(request, exc: BadCursor):
    message = _("is not a cursor this API gave")
    return errors(request, 400, [{"field": "cursor", "message": message}])


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return errors(request, 401, [{"field": "", "message": _("sign in or send a bearer token")}])


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc: PermissionDenied):
    return errors(request, 403, [{"field": "", "message": str(exc) or _("not allowed")}])


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return errors(request, 404, [{"field": "", "message": _("no such record")}])


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400 and "parse" in str(exc).lower():
        message = getattr(request, "json_problem", None) or _("is not valid JSON")
        return errors(request, 400, [{"field": "body", "message": message}])
    return errors(request, exc.status_code, [{"field": "", "message": str(exc)}])


api.add_router("/", registry_router)
api.add_router("/", privacy_router)
api.add_router("/situation", reports_router)
api.add_router("/figures", figures_router)
api.add_router("/shelter", shelter_router)
api.add_router("/audit", audit_router)
api.add_router("/matching", matching_router)
api.add_router("/forecast", forecast_router)
api.add_router("/aid", aid_router)
api.add_router("/tracing", tracing_router)
