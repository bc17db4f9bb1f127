import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.models import Post
from refuge.accounts.roles import (
    EDIT_PEOPLE,
    ERASE_PEOPLE,
    RECORD_CONSENT,
    REGISTER,
    VIEW_PEOPLE,
    can,
)
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib import dates
from refuge.lib.errors import Invalid
from refuge.registry import cards, consent, corrections, queries, rules, services
from refuge.registry.forms import PersonForm, SearchForm, household_payload, member_rows, row_count
from refuge.registry.models import (
    CONSENT_PURPOSES,
    Document,
    EditConflict,
    Erasure,
    Household,
    Person,
    SpecificNeed,
)
from refuge.registry.validation import readable_phone

DESK_ROWS = 1


# The household's own fields on the desk form, beside its members' rows.
HOUSEHOLD_FIELDS = ("phone", "origin", "destination")


def desk_context(request, post_data=None, errors=None, household_uuid=None,
                 already: Household | None = None, everyone_registered: bool = False) -> dict:
    errors = errors or {}
    count = max(row_count(post_data), DESK_ROWS) if post_data else DESK_ROWS
    return {
        "household_uuid": household_uuid or uuid.uuid4(),
        "rows": _with_linked(member_rows(post_data, errors, count)),
        "household": {
            name: (post_data or {}).get(name, "")
            for name in (*HOUSEHOLD_FIELDS, "accommodation")
        },
        "errors": errors,
        "field_errors": any(f.startswith("members[") or f in HOUSEHOLD_FIELDS for f in errors),
        "general_errors": [m for f, m in errors.items() if not f.startswith("members[")
                           and f not in (*HOUSEHOLD_FIELDS, "household")],
        "relationships": Person.RELATIONSHIPS,
        "document_kinds": Document.KINDS,
        "accommodation_choices": accommodation_choices(),
        "need_codes": SpecificNeed.CODES,
        "just_registered": _just_registered(request),
        "added": request.GET.get("added", "").isdecimal() and int(request.GET["added"]),
        "joining": _household_named(post_data.get("household") if post_data else ""),
        "already": already,
        "everyone_registered": everyone_registered,
        "template_row": {"index": "__i__", "relationship": "child", "errors": {}},
        "desk_rules": rules.desk_rules(),
        "desk_strings": desk_strings(),
    }


def accommodation_choices() -> list[tuple[str, str, str]]:
    """(key, code, label): one key picks each, on any keyboard layout."""
    keys = {Household.NEEDS_PLACE: "1", Household.RELATIVES: "2",
            Household.OWN_ARRANGEMENT: "3", Household.NOT_ASKED: "0"}
    return [(keys[code], code, label) for code, label in Household.ACCOMMODATION]


def desk_strings() -> dict:
    return {
        "not_a_date": _("not a date"),
        "already": _("May be registered already"),
        "certain": _("Already registered"),
        "row": _("Row %(n)s"),
        "link": _("Same person: link (stays in %(number)s)"),
        "different": _("A different person"),
        "linked": _("Row %(n)s is %(name)s, registered in %(number)s: this person stays in "
                    "that household and is not registered twice."),
        "unlink": _("Undo link"),
        "declared": _("Row %(n)s is not %(name)s of %(number)s: kept apart, and no reviewer "
                      "is asked about them again."),
        "undo": _("Undo"),
        "household_registered": _("This household is already registered as %(number)s "
                                  "(%(people)s people)."),
        "add_new": _("Add the new members to %(number)s"),
        "open": _("Open %(number)s"),
        "reprint": _("Reprint its card"),
        "nobody_new": _("Everyone typed is registered in it: there is nobody new to save."),
        "adding": _("Adding the new members to %(number)s. Saving adds them to it; nobody "
                    "is registered twice."),
        "new_household": _("Saving registers the others as a new household, linked to "
                           "%(numbers)s as part of the same family."),
        "sexes": {"M": _("male"), "F": _("female"), "U": _("unknown")},
        "not_a_sex": _("type M or F"),
        "date_errors": {"not_a_date": _("not a date"), "not_real": _("not a real date"),
                        "future": _("in the future"),
                        "too_old": _("more than %(max)s years ago") % {"max": dates.MAX_AGE}},
    }


def _with_linked(rows: list[dict]) -> list[dict]:
    """Rows the registrar linked to someone registered before, shown again as linked."""
    wanted = {}
    for row in rows:
        try:
            wanted[row["index"]] = uuid.UUID(row["same_as"])
        except ValueError:
            pass
    people = Person.objects.select_related("household__registered_at").in_bulk(
        wanted.values(), field_name="uuid")
    for row in rows:
        row["linked"] = people.get(wanted.get(row["index"]))
    return rows


def _just_registered(request) -> Household | None:
    try:
        done = uuid.UUID(request.GET.get("done", ""))
    except ValueError:
        return None
    return Household.objects.filter(uuid=done).select_related("registered_at").first()


def _household_named(value) -> Household | None:
    try:
        wanted = uuid.UUID(str(value or ""))
    except ValueError:
        return None
    return Household.objects.filter(uuid=wanted).select_related("registered_at").first()


@requires(REGISTER, needs_post=Post.RECEPTION)
@require_http_methods(["GET", "POST"])
def desk(request):
    """One screen per household: members in a table, saved with one keystroke."""
    if request.method == "GET":
        return render(request, "registry/desk.html", desk_context(request))
    payload, rows = household_payload(request.POST)
    try:
        result = services.register_household(
            payload, user=request.user, post=request.desk_post,
            desk=request.session.get("desk", ""), device_id="web",
        )
    except Invalid as invalid:
        return _desk_again(request, rows, invalid, status=422)
    except services.Conflict as conflict:
        context = desk_context(request, request.POST, {"uuid": conflict.message})
        return render(request, "registry/desk.html", context, status=409)
    added = f"&added={len(result.people)}" if result.added and result.created else ""
    return redirect(f"/desk/?done={result.household.uuid}{added}")


def _desk_again(request, rows: list[int], invalid: Invalid, status: int):
    """The desk as it was typed, with each problem beside its field."""
    errors = _errors_on_form_rows(rows, {e.field: e.message for e in invalid.errors})
    context = desk_context(request, request.POST, errors, request.POST.get("household_uuid"),
                           already=getattr(invalid, "household", None),
                           everyone_registered=getattr(invalid, "everyone", False))
    return render(request, "registry/desk.html", context, status=status)


def _errors_on_form_rows(filled: list[int], errors: dict) -> dict:
    """Validation names members by their place among the kept rows; the form by row index.

    Also maps documents[0].number to the row's document_number column.
    """
    mapped = {}
    for field, message in errors.items():
        if field.startswith("members[") and "]." in field:
            position, rest = field[len("members["):].split("].", 1)
            row = filled[int(position)] if int(position) < len(filled) else int(position)
            rest = {"documents[0].number": "document_number",
                    "documents[0].kind": "document_kind"}.get(rest, rest)
            mapped[f"members[{row}].{rest}"] = message
        else:
            mapped[field] = message
    return mapped


@requires(VIEW_PEOPLE)
def household_detail(request, household_uuid):
    household = get_object_or_404(
        Household.objects.select_related("registered_at"), uuid=household_uuid
    )
    members = list(household.members.prefetch_related("documents"))
    audit.record_views(request.user, "person", [p.uuid for p in members], "household page")
    linked = Household.objects.filter(group=household.group).exclude(pk=household.pk)
    for person in members:
        person.phone_shown = readable_phone(person.phone) if person.phone else ""
    return render(request, "registry/household.html", {
        "household": household, "members": members, "linked": linked,
        "contact": _household_contact(members),
        "member_count": sum(p.status != Person.MERGED for p in members),
        "may_edit": can(request.user, EDIT_PEOPLE), "statuses": Household.STATUSES,
        "accommodation_choices": Household.ACCOMMODATION,
        "conflicts": queries.open_conflicts(household),
        "consents": [(p, consent.consents_of(p)) for p in members if p.status != Person.MERGED],
        "consent_purposes": CONSENT_PURPOSES, "may_record_consent": can(request.user,
                                                                        RECORD_CONSENT),
        "consent_uuid": uuid.uuid4(),
    })


def _household_contact(members: list[Person]) -> dict[str, list[str]]:
    """The household's phone, origin and destination: the focal point's first, then any
    other member's that differ (each member keeps their own)."""
    ordered = sorted(members, key=lambda p: p.relationship != Person.FOCAL_POINT)
    return {name: list(dict.fromkeys(
        getattr(p, "phone_shown" if name == "phone" else name) for p in ordered
        if getattr(p, name))) for name in ("phone", "origin", "destination")}


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def household_status(request, household_uuid):
    """Close a household or open it again, or record whether it needs a place to stay,
    from the version the editor saw."""
    household = get_object_or_404(Household, uuid=household_uuid)
    changes = {name: request.POST[name] for name in ("status", "accommodation")
               if name in request.POST}
    try:
        saved = corrections.update_household(household, changes, user=request.user,
                                          base_version=_version(request.POST))
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)
    else:
        _say_saved(request, saved)
    return redirect("household", household_uuid=household.uuid)


def _version(post) -> int | None:
    """The record version an edit form was rendered with."""
    version = post.get("version", "")
    return int(version) if version.isdecimal() else None


def _say_saved(request, saved, done: str = "") -> None:
    """"Saved." (or `done`), unless an edit was kept for review as a conflict."""
    if saved.conflicts_raised:
        messages.warning(request, _("Someone changed this while you were editing: see the "
                                    "fields below to choose."))
    else:
        messages.success(request, done or _("Saved."))


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def link_household(request, household_uuid):
    """Record that another household, named by its number, is part of the same family."""
    household = get_object_or_404(Household, uuid=household_uuid)
    found = queries.look_up_number(request.POST.get("other", ""))
    other = found.household
    if other is None:
        messages.error(request, found.problem)
    else:
        corrections.link_households(household, other, user=request.user)
        messages.success(request, _("Linked with %(number)s.") % {
            "number": other.registration_number})
    return redirect("household", household_uuid=household.uuid)


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def move_person(request, person_uuid):
    """Move a person into another household, named by its registration number: a separate,
    explicit act, confirmed on a page that says what will happen to both households."""
    person = get_object_or_404(Person.objects.select_related("household__registered_at"),
                               uuid=person_uuid)
    found = queries.look_up_number(request.POST.get("household", ""))
    target = found.household
    if target is None:
        messages.error(request, found.problem)
        return redirect("person", person_uuid=person.uuid)
    if target.pk == person.household_id:
        messages.info(request, _("%(name)s is already in %(number)s.") % {
            "name": person.full_name, "number": target.registration_number})
        return redirect("person", person_uuid=person.uuid)
    if request.POST.get("confirm") != "1":
        return _confirm_move(request, person, target)
    try:
        moved = corrections.move_person(person, target, user=request.user,
                                     relationship=request.POST.get("relationship", ""),
                                     base_version=_version(request.POST))
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)
    else:
        _say_saved(request, moved, _("Moved to %(number)s.") % {
            "number": target.registration_number})
    return redirect("person", person_uuid=person.uuid)


def _confirm_move(request, person, target):
    """The page that says what a move does to both households, before it is done."""
    return render(request, "registry/move_confirm.html", {
        "person": person, "target": target,
        "left_behind": person.household.members.exclude(pk=person.pk).count(),
        "joining": target.members.count(),
        "relationship": request.POST.get("relationship", ""),
        "version": request.POST.get("version", "")})


@requires(VIEW_PEOPLE)
def household_card(request, household_uuid):
    """The printable registration card: number, focal point, size, QR. Nothing more."""
    household = get_object_or_404(
        Household.objects.select_related("registered_at"), uuid=household_uuid
    )
    focal = household.members.filter(relationship=Person.FOCAL_POINT).first()
    audit.record(request.user, AuditEvent.VIEW, "household", household.uuid, via="card")
    return render(request, "registry/card.html", {
        "household": household,
        "focal": focal,
        "member_count": household.members.count(),
        "qr_svg": cards.qr_svg(household),
        "autoprint": request.GET.get("print") == "1",
    })


@requires(VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def person_detail(request, person_uuid):
    person = get_object_or_404(
        Person.objects.select_related("household__registered_at"), uuid=person_uuid
    )
    erased = Erasure.objects.filter(person=person).first()
    may_edit = can(request.user, EDIT_PEOPLE) and erased is None
    errors = {}
    if request.method == "POST":
        if not may_edit:
            return render(request, "403.html", status=403)
        errors, saved = _correct_person(request, person)
        if saved is not None:
            _say_saved(request, saved)
            return redirect("person", person_uuid=person.uuid)
    else:
        audit.record(request.user, AuditEvent.VIEW, "person", person.uuid, via="person page")
    form = PersonForm(request.POST if request.method == "POST" else None,
                      initial=_person_initial(person))
    return render(request, "registry/person.html", {
        "person": person, "form": form, "errors": errors, "may_edit": may_edit,
        "erasure": erased, "may_erase": erased is None and can(request.user, ERASE_PEOPLE),
        **_person_record(person),
    }, status=422 if errors else 200)


def _correct_person(request, person):
    """The corrections typed on the person page, saved: (errors by field, saved result)."""
    changes = {k: request.POST.get(k, "") for k in PersonForm.base_fields}
    changes["needs"] = changes["needs"].replace(",", " ").split()
    if changes["birth_date"].strip() == _birth_input(person):
        del changes["birth_date"]  # shown as typed, e.g. "age 7": not a correction
    try:
        return {}, corrections.update_person(person, changes, user=request.user,
                                             base_version=_version(request.POST))
    except Invalid as invalid:
        return {e.field: e.message for e in invalid.errors}, None


def _person_initial(person) -> dict:
    return {
        "relationship": person.relationship, "given_name": person.given_name,
        "family_name": person.family_name, "patronymic": person.patronymic,
        "sex": person.sex, "birth_date": _birth_input(person), "needs": " ".join(person.need_codes),
        "phone": person.phone, "origin": person.origin, "destination": person.destination,
        "status": person.status,
    }


def _person_record(person) -> dict:
    """What the person page shows beside the form: changes, documents, conflicts, merges."""
    return {
        "changes": queries.labelled_changes(person),
        "relationships": [r for r in Person.RELATIONSHIPS if r[0] != Person.FOCAL_POINT],
        "documents": person.documents.all(),
        "conflicts": queries.open_conflicts(person),
        # Merges standing (not undone): this record into another, others into this one.
        "merged_into": person.merges_into.filter(undone_at__isnull=True)
                                         .select_related("kept", "merged_by").first(),
        "merged_here": person.merges_kept.filter(undone_at__isnull=True)
                                         .select_related("merged", "merged_by"),
        "erasure_reasons": Erasure.REASONS,
    }


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def resolve_conflict(request, person_uuid, conflict_id):
    _resolve(request, get_object_or_404(EditConflict, pk=conflict_id, person__uuid=person_uuid))
    return redirect("person", person_uuid=person_uuid)


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def resolve_household_conflict(request, household_uuid, conflict_id):
    _resolve(request, get_object_or_404(EditConflict, pk=conflict_id,
                                        household__uuid=household_uuid))
    return redirect("household", household_uuid=household_uuid)


def _resolve(request, conflict: EditConflict) -> None:
    try:
        corrections.resolve_conflict(conflict, use_proposed=request.POST.get("keep") == "other",
                                  user=request.user)
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)


def _birth_input(person: Person) -> str:
    """The birth date as the person page shows it for editing."""
    if person.birth_date is None:
        return ""
    if person.birth_precision == dates.ESTIMATED:
        return _("age %(age)s") % {"age": dates.age_on(person.birth_date, timezone.localdate())}
    return person.birth_display


@requires(VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def search(request):
    """Search is posted, never put in the URL: names must not reach access logs."""
    form = SearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = queries.search(form.cleaned_data["q"])
        audit.record(request.user, AuditEvent.SEARCH, "person", None,
                     results=len(result.people))
        audit.record_views(request.user, "person", [p.uuid for p in result.people], "search")
    return render(request, "registry/search.html", {"form": form, "result": result})
