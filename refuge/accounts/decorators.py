from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from refuge.accounts.posts import current_post
from refuge.accounts.roles import can


def requires(capability: str, needs_post: str | None = None):
    """Page decorator: signed in, allowed `capability`, and (optionally) at a post of a kind:
    the one chosen for that kind before, or the picker when none was."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied
            if needs_post:
                post = current_post(request, needs_post)
                if post is None:
                    return redirect(f"/post/?kind={needs_post}&next={request.path}")
                request.desk_post = post  # not request.POST, the form data
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
