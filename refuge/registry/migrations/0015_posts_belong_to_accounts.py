"""Posts now belong to accounts (accounts 0003): the registry's keys point there, in state
only; the table and its constraints are as they were."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_post'),
        ('registry', '0014_names_in_languages'),
        ('reports', '0002_posts_belong_to_accounts'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='historicaltally',
            name='post',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.post'),
        ),
        migrations.AlterField(
            model_name='registrationevent',
            name='post',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.post'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='registered_at',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.post'),
        ),
        migrations.AlterField(
            model_name='person',
            name='registered_at',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.post'),
        ),
        migrations.AlterField(
            model_name='household',
            name='registered_at',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='households', to='accounts.post'),
        ),
        migrations.AlterField(
            model_name='tally',
            name='post',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tallies', to='accounts.post'),
        ),
        migrations.AlterField(
            model_name='historicalhousehold',
            name='registered_at',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.post'),
        ),
        migrations.DeleteModel(
            name='Post',
        ),
    ])]
