"""Aggregate figures: counts only, never names, so every role may see them."""

from django.db.models import Count, Sum
from django.utils import timezone

from refuge.registry.models import Household, Post, Tally
from refuge.reports.queries import picture


def crossed_today(post: Post) -> int:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = Tally.objects.filter(post=post, counted_at__gte=start).aggregate(n=Sum("people_aboard"))
    return total["n"] or 0


def overview() -> dict:
    """Totals per post, from the pre-counted figures (see refuge.reports), so the home
    page stays fast with a million people registered."""
    situation = picture(with_shelter=False)
    households = dict(
        Household.objects.values_list("registered_at_id").annotate(n=Count("id")).order_by()
    )
    codes = dict(Post.objects.values_list("code", "pk"))
    posts = [
        {
            "code": post.code,
            "name": post.name,
            "kind": post.kind,
            "crossed_today": post.crossed_today,
            "crossed": post.crossed,
            "households_registered": households.get(codes[post.code], 0),
            "people_registered": post.registered,
        }
        for post in situation.posts
    ]
    return {
        "crossed": situation.crossed,
        "registered": situation.registered,
        "backlog": situation.backlog,
        "posts": posts,
    }
