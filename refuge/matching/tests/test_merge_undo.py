"""The message after a merge carries the button that undoes it."""

import re

import pytest
from django.test import Client

from refuge.conftest import make_household, member
from refuge.matching import services
from refuge.matching.models import CandidatePair, Merge
from refuge.registry.models import Person

pytestmark = pytest.mark.django_db


def test_the_message_after_a_merge_undoes_it(reception, registrar):
    for given, family in (("Hayk", "Hovhannisyan"), ("Айк", "Оганесян")):
        make_household(reception, registrar, member(given, family, birth_date="1980-03-14",
                                                    patronymic="Samvel", sex="M"))
    services.dedupe()
    pair = CandidatePair.objects.get()
    client = Client()
    client.force_login(registrar)
    page = client.post(f"/duplicates/{pair.uuid}/merge/", follow=True).content.decode()
    merge = Merge.objects.get()
    message = page.split('<ul class="messages">')[1].split("</ul>")[0]
    assert "Merged: the later record now points to the earlier one." in message
    form = re.search(r'<form method="post" action="([^"]+)" class="inline">'
                     r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">', message)
    assert form and form.group(1) == f"/duplicates/merges/{merge.uuid}/undo/"
    assert 'accesskey="u"' in message and "Undo the merge" in message

    checked = Client(enforce_csrf_checks=True)
    checked.cookies = client.cookies
    undone = checked.post(form.group(1), {"csrfmiddlewaretoken": form.group(2)}, follow=True)
    assert "Unmerged: both records are back as they were." in undone.content.decode()
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert Person.objects.filter(status=Person.MERGED).count() == 0
