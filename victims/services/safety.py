"""The person's own view of their safety, recorded by the partner-contact worker."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from victims.models import SafetyView, Victim
from victims.models.safety import Moment
from victims.rls import confidential
from victims.services.outreach import check_served_here


def safety_view_record(
    *, victim: Victim, by, moment: str, feels_safe: int, abuse: str, on
) -> SafetyView:
    """Record what the person says at `moment`: how safe they feel, whether the abuse has
    stopped. Recorded again for the same moment, it corrects the answer (the history keeps
    the one before). Refused for a future date, and for an exit view dated before the first
    contact's."""
    with confidential(victim.agency_id):
        # One writer at a time per person: a first record sent twice at once becomes a
        # record and its correction, never a unique-key error.
        victim = Victim.objects.select_for_update().get(pk=victim.pk, agency_id=victim.agency_id)
        check_served_here(victim.referral)
        if on > timezone.localdate():
            raise ValidationError({"on": _("The date cannot be in the future.")})
        views = {view.moment: view for view in victim.safety_views.all()}
        _check_order(views, moment, on)
        view = views.get(moment) or SafetyView(
            agency_id=victim.agency_id, victim=victim, moment=moment
        )
        view.feels_safe, view.abuse, view.on = feels_safe, abuse, on
        view.recorded_by, view.recorded_at = by, timezone.now()
        view.full_clean()
        view.save()
        return view


def _check_order(views: dict, moment: str, on) -> None:
    first, last = views.get(Moment.FIRST_CONTACT), views.get(Moment.EXIT)
    if moment == Moment.EXIT and first is not None and on < first.on:
        raise ValidationError({"on": _("The exit comes after the first contact: check the date.")})
    if moment == Moment.FIRST_CONTACT and last is not None and on > last.on:
        raise ValidationError({"on": _("The first contact comes before the exit: check the date.")})
