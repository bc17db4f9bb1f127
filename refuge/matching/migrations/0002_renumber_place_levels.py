"""Pairs found before places were graded by their shared words hold the place's level in
the old five-level numbering (0 different, 1 share a word, 2 similar, 3 nearly, 4 same);
the seven levels are 0 different, 1 only common words, 2 a word few have, 3 rare words,
4 similar, 5 nearly, 6 same. A shared word of unknown rarity becomes the weakest kind.
Names keep their numbers: the old "same" (3) reads as the same common name, the weaker
of the two new kinds."""

from django.db import migrations

OLD_TO_NEW = {0: 0, 1: 1, 2: 4, 3: 5, 4: 6}
NEW_TO_OLD = {0: 0, 1: 1, 2: 1, 3: 1, 4: 2, 5: 3, 6: 4}


def renumber(mapping):
    def run(apps, schema_editor):
        CandidatePair = apps.get_model("matching", "CandidatePair")
        changed = []
        for pair in CandidatePair.objects.only("levels").iterator(chunk_size=2000):
            place = pair.levels.get("place", -1)
            if place in mapping:
                pair.levels = {**pair.levels, "place": mapping[place]}
                changed.append(pair)
        CandidatePair.objects.bulk_update(changed, ["levels"], batch_size=2000)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(renumber(OLD_TO_NEW), renumber(NEW_TO_OLD)),
    ]
