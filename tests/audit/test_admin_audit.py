"""The admin is audited like everything else: each page of case data a platform administrator
opens there and each change made there is an event in the trail of the agency concerned, and
many-to-many changes (courts, groups) are rows of the history."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms import inlineformset_factory, modelform_factory
from django.utils.html import escape

from directory.models import AgencyCourt
from ipv.accounts.models import LiaisonProfile, LiaisonProfileCourt, Membership, UserGroup
from ipv.audit.admin_site import AuditedAdminSite
from ipv.audit.models import AuditEvent
from ipv.audit.services import Action
from referrals.models import Referral

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would post back from the admin's change form, as rendered."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.select, self.textarea = form_id, False, None, None
        self.data: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self.data.setdefault(name, []).append(attrs.get("value") or "")
            elif "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data


def change_form(client, url, model_name, **changes):
    """The change form at `url`, posted back with `changes` (lists for many values)."""
    page = client.get(url)
    assert page.status_code == 200
    form = _Form(f"{model_name}_form")
    form.feed(page.content.decode())
    data = {name: values for name, values in form.data.items()}
    for name, value in changes.items():
        data[name] = [str(item) for item in value] if isinstance(value, list) else [str(value)]
    return data


def admin_events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def trail(client, agency, person):
    client.force_login(person)
    response = client.get(f"/fr/a/{agency.slug}/audit/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_participants_page_of_changes_in_the_admin_is_a_read_event(client, world):
    client.force_login(world["admin"])
    participant = world.referral.participant
    url = f"/en/admin/referrals/participant/{participant.pk}/history/"
    assert client.get(url).status_code == 200
    [event] = admin_events(Action.ADMIN_VIEWED)
    assert (event.agency, event.target_type) == (world.agency, "referrals.participant")
    assert event.target_id == str(participant.pk)


def test_opening_a_referral_in_the_admin_is_a_read_event_naming_it(client, world):
    client.force_login(world["admin"])
    referral = world.referral
    assert client.get(f"/en/admin/referrals/referral/{referral.pk}/change/").status_code == 200
    [event] = admin_events(Action.ADMIN_VIEWED)
    assert (event.actor, event.agency, event.subject) == (world["admin"], world.agency, None)
    assert (event.target_type, event.target_id) == ("referrals.referral", str(referral.pk))
    assert event.target_labels == {"en": f"Referral #{referral.pk}", "fr": f"Renvoi #{referral.pk}"}
    assert event.path == f"/en/admin/referrals/referral/{referral.pk}/change/"
    # The record is named, never copied: not the person's name.
    assert "Tremblay" not in str(event.target_labels)


def test_a_list_of_case_data_names_the_rows_shown_in_each_agencys_trail(client, world):
    client.force_login(world["admin"])
    assert client.get("/en/admin/referrals/referral/").status_code == 200
    events = admin_events(Action.ADMIN_VIEWED)
    shown = {event.agency: sorted(event.details["ids"], key=int) for event in events}
    mine = Referral.objects.filter(agency=world.agency).order_by("pk")
    assert shown == {
        world.agency: [str(pk) for pk in mine.values_list("pk", flat=True)],
        world.other_agency: [str(world.other_referral.pk)],
    }
    assert {event.details["rows"] for event in events} == {mine.count(), 1}
    assert {event.target_type for event in events} == {"referrals.referral"}


def test_reference_data_leaves_no_read_event_and_case_data_does(client, world):
    client.force_login(world["admin"])
    for url in (
        "/en/admin/directory/court/",
        f"/en/admin/directory/court/{world.court.pk}/change/",
        "/en/admin/directory/agency/",
        f"/en/admin/directory/agency/{world.agency.pk}/change/",
        "/en/admin/audit/auditevent/",
    ):
        assert client.get(url).status_code == 200
    assert admin_events(Action.ADMIN_VIEWED) == []
    # Positive control: the same visit to a membership, a person's roles, is recorded.
    membership = world["intake"].memberships.get()
    assert client.get(f"/en/admin/accounts/membership/{membership.pk}/change/").status_code == 200
    [event] = admin_events(Action.ADMIN_VIEWED)
    assert (event.agency, event.subject) == (world.agency, world["intake"])


def test_the_other_agencys_manager_sees_none_of_the_first_agencys_admin_events(client, world):
    client.force_login(world["admin"])
    for referral in (world.referral, world.other_referral):
        client.get(f"/en/admin/referrals/referral/{referral.pk}/change/")
    mine = f"Renvoi #{world.referral.pk}"
    theirs = f"Renvoi #{world.other_referral.pk}"
    first = trail(client, world.agency, world["manager"])
    assert mine in first
    assert theirs not in first
    other = trail(client, world.other_agency, world["other_manager"])
    assert theirs in other  # positive control: the other agency sees its own
    assert mine not in other


def test_changing_a_liaison_officers_courts_is_a_change_event_and_history(client, world):
    client.force_login(world["admin"])
    profile = LiaisonProfile.objects.get(user=world["liaison"])
    url = f"/en/admin/accounts/liaisonprofile/{profile.pk}/change/"
    data = change_form(client, url, "liaisonprofile", courts=[world.other_court.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(profile.courts.all()) == [world.other_court]
    [event] = admin_events(Action.ADMIN_CHANGED)
    assert (event.actor, event.subject, event.agency) == (world["admin"], world["liaison"], None)
    assert event.details == {
        "changes": {
            "courts": {
                "before": {"en": ["Ottawa Courthouse"], "fr": ["Palais de justice d'Ottawa"]},
                "after": {
                    "en": ["Thunder Bay Courthouse"],
                    "fr": ["Palais de justice de Thunder Bay"],
                },
            }
        }
    }
    history = LiaisonProfileCourt.pgh_event_model.objects.filter(liaisonprofile=profile)
    rows = [(row.pgh_label, row.court_id) for row in history.order_by("pgh_id")]
    assert rows[-2:] == [("remove", world.court.pk), ("add", world.other_court.pk)]
    assert history.order_by("pgh_id").last().pgh_context["user"] == world["admin"].pk


def test_a_staff_members_new_admin_rights_and_groups_read_in_their_managers_language(client, world):
    support = Group.objects.create(name="Soutien")
    person = world["intake"]
    client.force_login(world["admin"])
    url = f"/en/admin/accounts/user/{person.pk}/change/"
    data = change_form(client, url, "user", is_staff="on", groups=[support.pk])
    assert client.post(url, data).status_code == 302
    assert list(person.groups.all()) == [support]
    [event] = admin_events(Action.ADMIN_CHANGED)
    assert (event.subject, event.agency) == (person, None)
    assert event.details["changes"]["is_staff"] == {"before": False, "after": True}
    assert event.details["changes"]["groups"]["after"] == {"en": ["Soutien"], "fr": ["Soutien"]}
    [added] = UserGroup.pgh_event_model.objects.filter(user=person)
    assert (added.pgh_label, added.group_id) == ("add", support.pk)
    # The manager of the agency where the person works reads it, in French.
    page = trail(client, world.agency, world["manager"])
    assert "Administrateur ou administratrice de la plateforme\u00a0: Non → Oui" in page
    assert "Groupes\u00a0: — → Soutien" in page
    other = trail(client, world.other_agency, world["other_manager"])
    assert "Soutien" not in other


def test_an_agencys_courts_changed_in_the_admin_are_in_its_trail_and_history(client, world):
    client.force_login(world["admin"])
    url = f"/en/admin/directory/agency/{world.agency.pk}/change/"
    data = change_form(
        client, url, "agency", courts=[world.court.pk, world.other_court.pk], published=""
    )
    del data["published"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = admin_events(Action.ADMIN_CHANGED)
    assert event.agency == world.agency
    assert event.details["changes"]["published"] == {"before": True, "after": False}
    assert event.details["changes"]["courts"]["after"]["en"] == [
        "Ottawa Courthouse",
        "Thunder Bay Courthouse",
    ]
    [added] = AgencyCourt.pgh_event_model.objects.filter(
        agency=world.agency, court=world.other_court
    )
    assert added.pgh_label == "add"
    page = trail(client, world.agency, world["manager"])
    courts = "Tribunaux desservis\u00a0: Palais de justice d'Ottawa → Palais de justice d'Ottawa, "
    assert escape(courts + "Palais de justice de Thunder Bay") in page


def test_a_bulk_delete_records_each_record_it_deleted(client, world):
    profiles = LiaisonProfile.objects.filter(user__in=[world["liaison"], world["other_liaison"]])
    expected = sorted((str(profile.pk), profile.user_id) for profile in profiles)
    ids = [pk for pk, _user in expected]
    client.force_login(world["admin"])
    selection = {"action": "delete_selected", "_selected_action": ids}
    confirm = client.post("/en/admin/accounts/liaisonprofile/", selection)
    assert confirm.status_code == 200
    [asked] = admin_events(Action.ADMIN_VIEWED)
    assert (asked.details["rows"], sorted(asked.details["ids"])) == (2, ids)
    done = client.post("/en/admin/accounts/liaisonprofile/", {**selection, "post": "yes"})
    assert done.status_code == 302
    assert not LiaisonProfile.objects.filter(pk__in=ids).exists()
    deleted = admin_events(Action.ADMIN_DELETED)
    assert sorted((event.target_id, event.subject_id) for event in deleted) == expected
    assert {event.actor for event in deleted} == {world["admin"]}


def test_each_record_changed_or_deleted_in_an_inline_is_an_event_of_its_agency(rf, world):
    """No inline of the site edits case data today; one that did would be audited row by row."""
    person = world["intake"]
    intake = person.memberships.get()
    extra = Membership.objects.create(user=person, agency=world.other_agency, role="intake")
    user_admin = admin.site._registry[type(person)]
    request = rf.post("/en/admin/accounts/user/")
    request.user = world["admin"]
    form = modelform_factory(type(person), fields=["full_name"])(
        {"full_name": person.full_name}, instance=person
    )
    form.save(commit=False)
    Memberships = inlineformset_factory(
        type(person), Membership, fields=["role"], extra=0, can_delete=True
    )
    prefix = "memberships"
    formset = Memberships(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "2",
            f"{prefix}-0-id": intake.pk,
            f"{prefix}-0-role": "facilitator",
            f"{prefix}-1-id": extra.pk,
            f"{prefix}-1-role": "intake",
            f"{prefix}-1-DELETE": "on",
        },
        instance=person,
        prefix=prefix,
        queryset=Membership.objects.filter(pk__in=[intake.pk, extra.pk]).order_by("pk"),
    )
    assert formset.is_valid(), formset.errors
    user_admin.save_related(request, form, [formset], change=True)
    [changed] = admin_events(Action.ADMIN_CHANGED)
    assert (changed.target_id, changed.agency, changed.subject) == (
        str(intake.pk),
        world.agency,
        person,
    )
    assert changed.details == {"changes": {"role": {"before": "intake", "after": "facilitator"}}}
    [deleted] = admin_events(Action.ADMIN_DELETED)
    assert (deleted.target_id, deleted.agency) == (str(extra.pk), world.other_agency)
    assert not Membership.objects.filter(pk=extra.pk).exists()


def test_any_other_bulk_action_records_each_record_it_is_run_on(rf, world):
    """No other action exists today; one added to any model admin would be audited."""
    ran = []

    @admin.action(description="Send a reminder")
    def remind(model_admin, request, queryset):
        ran.extend(queryset)

    class MembershipAdmin(admin.ModelAdmin):
        actions = [remind]

    site = AuditedAdminSite(name="test")
    site.register(Membership, MembershipAdmin)
    chosen = [world["intake"].memberships.get(), world["other_intake"].memberships.get()]
    request = rf.post("/", {"action": "remind", "_selected_action": [m.pk for m in chosen]})
    request.user = world["admin"]
    site._registry[Membership].response_action(request, Membership.objects.all())
    assert sorted(ran, key=lambda membership: membership.pk) == chosen
    events = admin_events(Action.ADMIN_CHANGED)
    assert {(event.target_id, event.agency) for event in events} == {
        (str(chosen[0].pk), world.agency),
        (str(chosen[1].pk), world.other_agency),
    }
    assert events[0].details == {"action": {"en": "Send a reminder", "fr": "Send a reminder"}}


def test_a_permission_group_added_in_the_admin_is_audited_without_error(client, world):
    """Django's groups are reached from the user by a relation named "user": it is not a
    column of the group naming a person, and taking it for one made adding a group fail."""
    client.force_login(world["admin"])
    response = client.post("/fr/admin/auth/group/add/", {"name": "Soutien technique"})
    assert response.status_code == 302
    group = Group.objects.get(name="Soutien technique")
    event = AuditEvent.objects.get(target_type="auth.group", target_id=str(group.pk))
    assert event.subject_id is None and event.agency_id is None
