from django import forms

from refuge.reports.models import SituationSettings


class ExpectedPopulationForm(forms.ModelForm):
    class Meta:
        model = SituationSettings
        fields = ["expected_population"]
