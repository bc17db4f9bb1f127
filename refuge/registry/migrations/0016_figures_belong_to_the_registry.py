"""The pre-counted figures now belong to the registry, which keeps them exact: in state
only; the tables keep the names they were made with (reports_...), and their rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_posts_belong_to_accounts'),
        ('accounts', '0003_post'),
        ('registry', '0015_posts_belong_to_accounts'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='CrossingFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField()),
                ('people', models.IntegerField(default=0)),
                ('vehicles', models.IntegerField(default=0)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.post')),
            ],
            options={
                'db_table': 'reports_crossingfigure',
                'constraints': [models.UniqueConstraint(fields=('hour', 'post'), name='crossing_figure_key')],
            },
        ),
        migrations.CreateModel(
            name='RegistrationFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField()),
                ('sex', models.CharField(max_length=1)),
                ('age_band', models.SmallIntegerField()),
                ('need', models.CharField(blank=True, max_length=8)),
                ('people', models.IntegerField(default=0)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.post')),
            ],
            options={
                'db_table': 'reports_registrationfigure',
                'constraints': [models.UniqueConstraint(fields=('hour', 'post', 'sex', 'age_band', 'need'), name='registration_figure_key')],
            },
        ),
    ])]
