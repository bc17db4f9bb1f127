"""Aggregate figures: counts only, never names, so every role may see them."""

from django.db.models import Count, Sum
from django.utils import timezone

from refuge.registry.models import Household, Person, Post, Tally


def crossed_today(post: Post) -> int:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = Tally.objects.filter(post=post, counted_at__gte=start).aggregate(n=Sum("people_aboard"))
    return total["n"] or 0


def overview() -> dict:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    crossed = dict(
        Tally.objects.values_list("post_id").annotate(n=Sum("people_aboard")).order_by()
    )
    today = dict(
        Tally.objects.filter(counted_at__gte=start)
        .values_list("post_id").annotate(n=Sum("people_aboard")).order_by()
    )
    households = dict(
        Household.objects.values_list("registered_at_id").annotate(n=Count("id")).order_by()
    )
    people = dict(
        Person.objects.values_list("household__registered_at_id").annotate(n=Count("id"))
        .order_by()
    )
    posts = [
        {
            "code": post.code,
            "name": post.name,
            "kind": post.kind,
            "crossed_today": today.get(post.pk, 0),
            "crossed": crossed.get(post.pk, 0),
            "households_registered": households.get(post.pk, 0),
            "people_registered": people.get(post.pk, 0),
        }
        for post in Post.objects.all()
    ]
    total_crossed = sum(crossed.values())
    total_registered = sum(people.values())
    return {
        "crossed": total_crossed,
        "registered": total_registered,
        "backlog": max(total_crossed - total_registered, 0),
        "posts": posts,
    }
