"""Demo people of DESIGN.md. Their roles in the agencies come with memberships."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from directory.models import Agency, Court
from ipv.accounts.models import LiaisonProfile, Membership, Role, User

# Printed by `make run`; accounts.demo.load refuses to set it outside debug.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

# email → the (agency slug, role) they hold. The partner-contact worker also reaches the
# families of the second agency's IPIV program, under a service agreement.
ACCESS = {
    "manager@demo.ipv.test": [("riviere-des-outaouais", Role.MANAGER)],
    "intake@demo.ipv.test": [("riviere-des-outaouais", Role.INTAKE)],
    "facilitator@demo.ipv.test": [("riviere-des-outaouais", Role.FACILITATOR)],
    "partner@demo.ipv.test": [
        ("riviere-des-outaouais", Role.PARTNER_CONTACT),
        ("lakehead-healing", Role.PARTNER_CONTACT),
    ],
    "manager2@demo.ipv.test": [("lakehead-healing", Role.MANAGER)],
}

PERSONAS = [
    ("manager@demo.ipv.test", "Martine Gagnon", "fr", "manager, first agency"),
    ("intake@demo.ipv.test", "Isabelle Roy", "fr", "intake worker, first agency"),
    ("facilitator@demo.ipv.test", "François Tremblay", "fr", "facilitator, first agency"),
    (
        "partner@demo.ipv.test",
        "Patricia Lavoie",
        "en",
        "partner-contact worker, first agency (and the second's IPIV families)",
    ),
    ("manager2@demo.ipv.test", "Marie Whitehorse", "en", "manager, second agency"),
    ("liaison@demo.ipv.test", "Louis Bélanger", "fr", "court liaison officer, Ottawa Courthouse"),
    ("admin@demo.ipv.test", "Alex Administrateur", "fr", "platform administrator"),
]


def load() -> None:
    """Create or update the demo people, all with the demo password. Debug only."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo accounts are refused outside debug (DJANGO_DEBUG=1).")
    for email, full_name, language, _role in PERSONAS:
        is_admin = email.startswith("admin@")
        user, created = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "preferred_language": language,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        # Only new accounts get the password: hashing it again on every start is slow, and a
        # password someone changed while trying the site stays as they set it.
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for slug, role in ACCESS.get(email, []):
            Membership.objects.update_or_create(
                user=user,
                agency=Agency.objects.get(slug=slug),
                role=role,
                defaults={"is_active": True, "ended_at": None},
            )
        if email.startswith("liaison@"):
            profile, _ = LiaisonProfile.objects.get_or_create(user=user)
            profile.courts.set(Court.objects.filter(slug="ottawa"))
