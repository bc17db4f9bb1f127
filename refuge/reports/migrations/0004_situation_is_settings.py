from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    """The situation picture's settings row says what it is (issue 22)."""

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('reports', '0003_figures_belong_to_the_registry'),
    ]

    operations = [
        migrations.RenameModel(old_name='Situation', new_name='SituationSettings'),
    ]
