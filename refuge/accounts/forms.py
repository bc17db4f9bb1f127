from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.accounts.models import Post


class ChoosePostForm(forms.Form):
    post = forms.ModelChoiceField(queryset=Post.objects.none(), label=_("Post"),
                                  empty_label=None)
    desk = forms.CharField(max_length=20, required=False, label=_("Desk"))

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
