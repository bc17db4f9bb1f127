from refuge.accounts.models import Post

"""The posts (crossing point, reception centre) and desks a user works at, kept in the
session: one of each kind, so a registrar who counts at the tally and registers at the desk
picks each once, and moving between the two screens asks nothing again."""


# session["posts"] = {kind: post id} and session["desks"] = {kind: desk}; "post_id" is the
# last post chosen, shown where a page needs none, and "desk" the reception centre's desk,
# which registrations carry.
POSTS, DESKS = "posts", "desks"


def current_post(request, kind: str | None = None) -> Post | None:
    """The open post the user chose for `kind`, or the last one chosen of any kind."""
    post_id = _chosen_id(request, kind)
    if post_id is None:
        return None
    held = request.__dict__.setdefault("_refuge_posts", {})
    if post_id not in held:
        held[post_id] = Post.objects.filter(pk=post_id, is_open=True).first()
    post = held[post_id]
    if post is not None and kind and post.kind != kind:
        return None
    return post


def _chosen_id(request, kind: str | None) -> int | None:
    session = request.session
    if kind:
        chosen = session.get(POSTS, {}).get(kind)
        if chosen is not None:
            return chosen
    return session.get("post_id")


def current_desk(request, kind: str | None = None) -> str:
    """The desk chosen with the post of `kind` (or the last chosen)."""
    if kind and kind in request.session.get(DESKS, {}):
        return request.session[DESKS][kind]
    return request.session.get("desk", "")


def choose_post(request, post: Post, desk: str) -> None:
    session = request.session
    session[POSTS] = {**session.get(POSTS, {}), post.kind: post.pk}
    session[DESKS] = {**session.get(DESKS, {}), post.kind: desk}
    session["post_id"] = post.pk
    if post.kind == Post.RECEPTION:
        session["desk"] = desk
