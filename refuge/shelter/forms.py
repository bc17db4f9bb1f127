from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.shelter.models import Site


class SiteForm(forms.ModelForm):
    """Only for rendering; the shelter services check the values."""

    class Meta:
        model = Site
        fields = ["name", "name_hy", "name_ru", "kind", "province", "community", "address",
                  "latitude", "longitude", "beds", "step_free", "accessible_bathroom",
                  "family_rooms", "contact", "organisation", "is_open"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
