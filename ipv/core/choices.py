"""Choices every layer names: the program's languages and the roles people hold in an agency.

They sit here, at the bottom, so that the permission table (ipv.core.permissions) and every app
can name them without reaching up into the app that stores them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """The languages the program is delivered in."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class Role(models.TextChoices):
    """What a person does in an agency. Court liaison officers have no agency role."""

    MANAGER = "manager", _("Manager")
    INTAKE = "intake", _("Intake worker")
    FACILITATOR = "facilitator", _("Facilitator")
    PARTNER_CONTACT = "partner_contact", _("Partner-contact worker")
