from django import forms

from refuge.reports.models import Situation


class ExpectedPopulationForm(forms.ModelForm):
    class Meta:
        model = Situation
        fields = ["expected_population"]
