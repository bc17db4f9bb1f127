"""Search keys now read дж and dzh as j (Джон, Jon and Ջոն share a key): recompute the
keys of the people whose names contain them."""

from django.db import migrations
from django.db.models import Q

from refuge.lib import names


def rekey(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    has_dzh = Q()
    for field in ("given_name", "family_name", "patronymic"):
        has_dzh |= Q(**{f"{field}__icontains": "дж"}) | Q(**{f"{field}__icontains": "dzh"})
    changed = []
    for person in Person.objects.filter(has_dzh).iterator(chunk_size=5000):
        person.given_key = names.search_key(person.given_name)[:100]
        person.family_key = names.search_key(person.family_name)[:100]
        person.patronymic_key = names.search_key(names.patronymic_stem(person.patronymic))[:100]
        changed.append(person)
    Person.objects.bulk_update(changed, ["given_key", "family_key", "patronymic_key"],
                               batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_historicalperson_record_id_person_record_id_and_more")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
