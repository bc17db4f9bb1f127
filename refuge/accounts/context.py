from refuge.accounts import roles
from refuge.accounts.posts import current_post


def current_post_and_roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    user_roles = roles.roles_of(user)
    return {
        "current_post": current_post(request) if user.is_authenticated else None,
        "current_desk": request.session.get("desk", "") if user.is_authenticated else "",
        "user_roles": sorted(str(roles.ROLES[r]) for r in user_roles),
        "user_can": {cap: roles.can(user, cap) for cap in roles.CAPABILITIES},
    }
