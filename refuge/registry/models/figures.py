"""The registry's pre-counted figures."""

from django.db import models

from refuge.accounts.models import Post

# Pre-counted figures, kept exact in the same transaction as every registration
# (refuge.registry.counting): counting a million people per dashboard view is too slow
# for a laptop, so each write adds or removes its people here, and the dashboard sums a
# few thousand rows.

UNKNOWN_AGE = -1
# Age groups on the day of registration: UNHCR's standard groups (0-4, 5-11, 12-17,
# 18-59, 60+), with the adult years split finer so an age-sex pyramid can be drawn.
AGE_BANDS = [(0, 4), (5, 11), (12, 17), (18, 24), (25, 34), (35, 44), (45, 59), (60, 69),
             (70, 79), (80, 120)]


def age_band(age: int | None) -> int:
    """The index of the age group an age falls in, or UNKNOWN_AGE."""
    if age is None or age < 0:
        return UNKNOWN_AGE
    for index, (low, high) in enumerate(AGE_BANDS):
        if low <= age <= high:
            return index
    return len(AGE_BANDS) - 1


class RegistrationFigure(models.Model):
    """People registered in one hour at one centre, by sex, age group and specific need.

    A person counts once in the row with need="" and once more per specific need.
    The age group is an index into AGE_BANDS, by age on the day of registration
    (-1 when unknown).
    """

    hour = models.DateTimeField()
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    sex = models.CharField(max_length=1)
    age_band = models.SmallIntegerField()
    need = models.CharField(max_length=8, blank=True)
    people = models.IntegerField(default=0)

    class Meta:
        db_table = "reports_registrationfigure"  # made when the figures were the reports'
        constraints = [
            models.UniqueConstraint(fields=["hour", "post", "sex", "age_band", "need"],
                                    name="registration_figure_key"),
        ]


class CrossingFigure(models.Model):
    """People counted crossing in one hour at one crossing point."""

    hour = models.DateTimeField()
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    people = models.IntegerField(default=0)
    vehicles = models.IntegerField(default=0)

    class Meta:
        db_table = "reports_crossingfigure"
        constraints = [
            models.UniqueConstraint(fields=["hour", "post"], name="crossing_figure_key"),
        ]


# Why the registry may keep and use a person's data, per purpose (refuge.registry.consent).
