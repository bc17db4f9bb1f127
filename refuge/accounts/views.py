from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.forms import ChoosePostForm
from refuge.accounts.models import Post
from refuge.accounts.posts import choose_post, current_desk, current_post
from refuge.accounts.roles import VIEW_FIGURES


@requires(VIEW_FIGURES)
@require_http_methods(["GET", "POST"])
def post_picker(request):
    """Pick the crossing point or reception centre (and desk) this user works at."""
    kind = request.GET.get("kind")
    posts = Post.objects.filter(is_open=True)
    if kind in (Post.CROSSING, Post.RECEPTION):
        posts = posts.filter(kind=kind)
    else:
        kind = None
    chosen = current_post(request, kind)
    form = ChoosePostForm(request.POST or None, posts=posts, initial={
        "post": chosen.pk if chosen else None,
        "desk": current_desk(request, chosen.kind) if chosen else ""})
    if request.method == "POST" and form.is_valid():
        choose_post(request, form.cleaned_data["post"], form.cleaned_data["desk"])
        next_url = request.GET.get("next") or "/"
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = "/"
        return redirect(next_url)
    chosen_post = form["post"].value()
    groups = [(label, [p for p in posts if p.kind == code]) for code, label in Post.KINDS]
    return render(request, "accounts/post.html", {
        "form": form, "chosen_post": str(chosen_post or ""),
        "groups": [(label, members) for label, members in groups if members]})
