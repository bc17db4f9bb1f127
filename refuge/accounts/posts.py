"""The post (crossing point or reception centre) and desk a user works at, kept in the session."""

from refuge.registry.models import Post


def current_post(request) -> Post | None:
    post_id = request.session.get("post_id")
    if post_id is None:
        return None
    cached = getattr(request, "_refuge_post", None)
    if cached is None or cached.pk != post_id:
        cached = Post.objects.filter(pk=post_id, is_open=True).first()
        request._refuge_post = cached
    return cached


def choose_post(request, post: Post, desk: str) -> None:
    request.session["post_id"] = post.pk
    request.session["desk"] = desk
