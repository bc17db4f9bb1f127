"""Posts move from the registry to accounts, where the people who work at them are: in
Django's state only. The table stays registry_post, its rows untouched; the content type
follows, so permissions and admin history keep pointing at it."""

import uuid
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="registry", model="post").update(app_label="accounts")


def move_content_type_back(apps, schema_editor):
    apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="accounts", model="post").update(app_label="registry")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_roles'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('registry', '0014_names_in_languages'),
    ]

    operations = [
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='Post',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name_hy', models.CharField(blank=True, max_length=200, verbose_name='name in Armenian')),
                ('name_ru', models.CharField(blank=True, max_length=200, verbose_name='name in Russian')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('kind', models.CharField(choices=[('crossing', 'crossing point'), ('reception', 'reception centre')], max_length=10)),
                ('code', models.CharField(help_text='Short code, e.g. GOR', max_length=8, unique=True)),
                ('name', models.CharField(max_length=100)),
                ('province', models.CharField(blank=True, max_length=100)),
                ('is_open', models.BooleanField(default=True)),
            ],
            options={
                'db_table': 'registry_post',
                'ordering': ['kind', 'name'],
            },
        ),
        ]),
    ]
