"""Allocation runs keep their bounds, and store reasons and statuses as codes.

Reasons and statuses stored before this were text in the language of whoever ran the
allocator. Those in English are recognised and turned into codes with parameters, so
that they read in every language; any other text is kept, and shown as it was stored.
A status of "optimal" becomes "best_found": runs before this never proved it.
"""

import re

from django.db import migrations, models

NEEDS = {"unaccompanied child": "UAC", "separated child": "SC", "older person at risk": "OP",
         "disability": "DIS", "serious medical condition": "MED",
         "pregnant or lactating": "PREG", "single parent or caregiver": "SP",
         "survivor of violence": "SV", "legal or physical protection": "PROT"}
NUMBERS = {"part", "parts", "people", "free", "beds", "share"}
PATTERNS = [(code, re.compile(pattern)) for code, pattern in [
    ("placed_first", r"placed first: (?P<needs>.+)"),
    ("step_free", r"needs step-free access, which (?P<site>.+) has"),
    ("relatives_here", r"relatives are already at (?P<site>.+)"),
    ("requested_province", r"in the requested province, (?P<province>.+)"),
    ("requested_province_full", r"(?P<province>.+) was asked for but had no fitting free beds"),
    ("split", r"part (?P<part>\d+) of (?P<parts>\d+): no open site had beds for all "
              r"(?P<people>\d+) together"),
    ("site_free", r"(?P<free>\d+) of (?P<beds>\d+) beds free at (?P<site>.+) "
                  r"\((?P<share>\d+)% taken\)"),
    ("beds_taken", r"the free beds it could use went to more vulnerable or longer-waiting "
                   r"households"),
    ("too_large_step_free", r"no open step-free site has beds for (?P<people>\d+) people, "
                            r"even split"),
    ("too_large", r"all open sites together have fewer free beds than its (?P<people>\d+) "
                  r"people"),
]]
STATUSES = {"optimal": "best_found", "the best plan found in the time allowed": "best_found",
            "the solver ran out of time; the households left wait for the next run":
                "out_of_time",
            "nobody is waiting": "nobody_waiting"}
BATCH = 1000


def coded(text):
    """The English text as {"code": ..., parameters}, or the text itself."""
    if not isinstance(text, str):
        return text
    for code, pattern in PATTERNS:
        if match := pattern.fullmatch(text):
            params = {name: int(value) if name in NUMBERS else value
                      for name, value in match.groupdict().items()}
            if "needs" in params:
                labels = params["needs"].split(", ")
                if not all(label in NEEDS for label in labels):
                    return text
                params["needs"] = [NEEDS[label] for label in labels]
            return {"code": code, **params}
    return text


def to_codes(apps, schema_editor):
    AllocationRun = apps.get_model("shelter", "AllocationRun")
    Proposal = apps.get_model("shelter", "Proposal")
    for run in AllocationRun.objects.iterator(chunk_size=BATCH):
        run.status = STATUSES.get(run.status, run.status)
        run.unplaced = {uuid: coded(reason) for uuid, reason in run.unplaced.items()}
        run.save(update_fields=["status", "unplaced"])
    changed = []
    for proposal in Proposal.objects.only("pk", "reasons").iterator(chunk_size=BATCH):
        reasons = [coded(reason) for reason in proposal.reasons]
        if reasons != proposal.reasons:
            proposal.reasons = reasons
            changed.append(proposal)
        if len(changed) >= BATCH:
            Proposal.objects.bulk_update(changed, ["reasons"])
            changed = []
    Proposal.objects.bulk_update(changed, ["reasons"])


class Migration(migrations.Migration):

    dependencies = [
        ('shelter', '0004_names_in_languages'),
    ]

    operations = [
        migrations.AddField(
            model_name='allocationrun',
            name='bounds',
            field=models.JSONField(default=list),
        ),
        # Going back leaves the codes: the earlier version shows them as they are.
        migrations.RunPython(to_codes, migrations.RunPython.noop),
    ]
