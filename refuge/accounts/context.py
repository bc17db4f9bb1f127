from refuge.accounts import roles
from refuge.accounts.posts import current_desk, current_post


def current_post_and_roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    user_roles = roles.roles_of(user)
    # The post of the screen in hand (the desk's reception centre, the tally's crossing
    # point), else the one chosen last.
    post = getattr(request, "desk_post", None)
    if post is None and user.is_authenticated:
        post = current_post(request)
    return {
        "current_post": post,
        "current_desk": current_desk(request, post.kind) if post is not None else "",
        "user_roles": sorted(str(roles.ROLES[r]) for r in user_roles),
        "user_can": {cap: roles.can(user, cap) for cap in roles.CAPABILITIES},
    }
