"""The pre-counted figures now belong to the registry (registry 0016): in state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0016_figures_belong_to_the_registry'),
        ('reports', '0002_posts_belong_to_accounts'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.RemoveField(
            model_name='registrationfigure',
            name='post',
        ),
        migrations.DeleteModel(
            name='CrossingFigure',
        ),
        migrations.DeleteModel(
            name='RegistrationFigure',
        ),
    ])]
