from functools import lru_cache

from django import template
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag(takes_context=True)
def translated_path(context, language):
    """The current page in `language`: same view, arguments and query string."""
    request = context.get("request")
    if request is None:
        return f"/{language}/"
    path = request.get_full_path()
    translated = translate_url(path, language)
    if translated == path:
        # Not a page we know (a 404, say): swap the language prefix, or go home.
        prefix, _, rest = path.lstrip("/").partition("/")
        translated = f"/{language}/{rest}" if prefix in ("fr", "en") else f"/{language}/"
    if not url_has_allowed_host_and_scheme(translated, allowed_hosts=None):
        return f"/{language}/"
    return translated


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (e.g. the page number), or
    taken out (None)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


# The agency's menu, in its order: each entry's route (its one argument the agency), the
# capability it needs (None: every member) and its label.
AGENCY_MENU = (
    ("agency:home", None, _("Home")),
    ("agency:referral_queue", "referrals.view", _("Intake queue")),
    ("agency:transfer_list", "referrals.view", _("Transfers")),
    ("agency:group_list", "groups.view", _("Groups")),
    ("agency:curriculum", "curriculum.view", _("Curriculum")),
    ("agency:calendar_feed", "calendar.own", _("My calendar")),
    ("agency:outreach_home", "victims.view", _("Outreach")),
    ("agency:fees", "fees.approve", _("Fees")),
    ("agency:staff", "staff.view", _("Staff")),
    ("agency:settings", "settings.manage", _("Settings")),
    ("agency:figures", "figures.view", _("Figures")),
    ("agency:audit", "audit.view", _("Audit trail")),
    ("agency:outgoing_messages", "messages.manage", _("Outgoing messages")),
)


@register.simple_tag(takes_context=True)
def agency_menu(context) -> list[tuple]:
    """The agency menu's entries the person may open, each (address, label, whether it is
    the page shown)."""
    request = context["request"]
    entries = []
    for route, capability, label in AGENCY_MENU:
        if capability is None or request.membership.can(capability):
            url = reverse(route, args=[request.agency.slug])
            entries.append((url, label, url == request.path))
    return entries


@register.filter
def can(membership, capability):
    """`{% if request.membership|can:"staff.view" %}`: the person's capability in this agency."""
    return bool(membership) and membership.can(capability)


@register.filter
def role_labels(roles):
    """The names of `roles`, in the order of the Role choices (manager first)."""
    from ipv.core.choices import Role

    return [role.label for role in Role if role in roles]


@register.filter
def money(amount):
    """`{{ amount|money }}`: 1 234,50 $ on French pages, $1,234.50 on English ones."""
    if amount is None or amount == "":
        return "—"
    from ipv.core.i18n import format_money

    return format_money(amount)


@register.filter
def phone(number):
    """`{{ agency.phone|phone }}`: 613-555-0142, as Canada writes it in both languages."""
    from ipv.core.i18n import format_phone

    return format_phone(number)


@register.filter
def address(place, style=""):
    """`{{ agency|address }}`: the street, then « Ottawa (Ontario)  K1K 0V4 » on its own line;
    `{{ agency|address:"line" }}` on one line."""
    from django.utils.html import format_html_join

    from ipv.core.i18n import format_address

    if style == "line":
        return format_address(place, one_line=True)
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in format_address(place)))


@register.filter
def label(record, field_name):
    """What `record.get_<field_name>_display()` says, from the field's choices worded once per
    language: Django's own hashes every choice's lazy label again on each call, which a page
    of a few hundred rows pays thousands of times."""
    value = getattr(record, field_name)
    return _choice_labels(type(record), field_name, get_language()).get(value, value)


@lru_cache(maxsize=512)
def _choice_labels(model, field_name: str, language: str) -> dict:
    with translation.override(language):
        return {value: str(text) for value, text in model._meta.get_field(field_name).flatchoices}
