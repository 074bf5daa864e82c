"""Demo directory: Ontario's court regions, one court, two fictional agencies, support services.

Every row is keyed on a stable slug or name, so loading twice leaves the same rows.
"""

from directory.models import Agency, Court, Program, Region, ServiceLanguage, SupportService

# The Ontario Court of Justice's eight regions.
REGIONS = [
    ("toronto", "Toronto", "Toronto"),
    ("central-east", "Centre-Est", "Central East"),
    ("central-west", "Centre-Ouest", "Central West"),
    ("central-south", "Centre-Sud", "Central South"),
    ("east", "Est", "East"),
    ("northeast", "Nord-Est", "Northeast"),
    ("northwest", "Nord-Ouest", "Northwest"),
    ("southwest", "Sud-Ouest", "Southwest"),
]

COURT = {
    "slug": "ottawa",
    "name_fr": "Palais de justice d'Ottawa",
    "name_en": "Ottawa Courthouse",
    "street_address": "161 Elgin Street",
    "city": "Ottawa",
    "postal_code": "K2P 2K1",
    "region": "east",
}

AGENCIES = [
    {
        "slug": "riviere-des-outaouais",
        "name_fr": "Services familiaux Rivière-des-Outaouais",
        "name_en": "Ottawa River Family Services",
        "description_fr": (
            "Programme d'intervention auprès des partenaires violents (IPV) en français et en "
            "anglais : 12 séances de groupe le soir, groupes à entrée continue, soutien aux "
            "victimes et partenaires actuelles par une équipe distincte."
        ),
        "description_en": (
            "Partner Assault Response program (IPV) in French and English: 12 evening group "
            "sessions, open-entry groups, and support for victims and current partners by a "
            "separate team."
        ),
        "street_address": "1200, chemin de Montréal, bureau 310",
        "city": "Ottawa",
        "postal_code": "K1K 0V4",
        "region": "east",
        "phone": "+16135550142",
        "email": "ipv@riviere-outaouais.example.org",
        "website": "https://riviere-outaouais.example.org",
        "languages": [ServiceLanguage.FRENCH, ServiceLanguage.ENGLISH],
        "programs": [Program.IPV],
        "indigenous_led": False,
        "accessibility_notes_fr": "Entrée de plain-pied, ascenseur, toilettes accessibles.",
        "accessibility_notes_en": "Step-free entrance, elevator, accessible washrooms.",
        "courts": ["ottawa"],
    },
    {
        "slug": "lakehead-healing",
        "name_fr": "Centre autochtone de guérison familiale Lakehead",
        "name_en": "Lakehead Indigenous Family Healing Centre",
        "description_fr": (
            "Programme IPIV conçu et offert par la communauté autochtone, ouvert aux personnes "
            "accusées avant tout plaidoyer. Cercles de partage, enseignements des aînés, soutien "
            "aux familles et aux membres de la communauté. Programme IPV en anglais aussi."
        ),
        "description_en": (
            "IPIV program designed and delivered by the Indigenous community, open to accused "
            "persons before any plea. Sharing circles, Elders' teachings, support for families "
            "and community members. The IPV program in English too."
        ),
        "street_address": "45 Red River Road",
        "city": "Thunder Bay",
        "postal_code": "P7B 1A3",
        "region": "northwest",
        "phone": "+18075550177",
        "email": "healing@lakehead-healing.example.org",
        "website": "",
        "languages": [ServiceLanguage.ENGLISH, ServiceLanguage.OJIBWE],
        # Both agencies offer IPV, so a transfer between them can be tried.
        "programs": [Program.IPIV, Program.IPV],
        "indigenous_led": True,
        "accessibility_notes_fr": "Rez-de-chaussée accessible en fauteuil roulant.",
        "accessibility_notes_en": "Wheelchair-accessible ground floor.",
        "courts": [],
    },
]

FR_EN = [ServiceLanguage.FRENCH, ServiceLanguage.ENGLISH]
EN = [ServiceLanguage.ENGLISH]
K = SupportService.Kind

# (kind, name_fr, name_en, city, region, phone, toll_free, languages, open_24h, street_address)
# fmt: off
SERVICES = [
    (K.SHELTER, "Maison d'hébergement Marie-Rose", "Marie-Rose Shelter", "Ottawa", "east",
     "+16135550101", "+18665550101", FR_EN, True, ""),
    (K.VWAP, "Programme d'aide aux victimes et aux témoins — Ottawa",
     "Victim/Witness Assistance Program — Ottawa", "Ottawa", "east",
     "+16135550102", "", FR_EN, False, "161 Elgin Street"),
    (K.CRISIS_LINE, "Ligne de crise de l'Est ontarien", "Eastern Ontario Crisis Line", "Cornwall",
     "east", "+16135550103", "+18665550103", FR_EN, True, ""),
    (K.COUNSELLING, "Counselling familial de Kingston", "Kingston Family Counselling", "Kingston",
     "east", "+16135550104", "", EN, False, "22 Princess Street"),
    (K.SEXUAL_ASSAULT, "Centre d'aide contre les agressions sexuelles de Sudbury",
     "Sudbury Sexual Assault Centre", "Sudbury", "northeast",
     "+17055550105", "", FR_EN, True, ""),
    (K.SHELTER, "Maison Amik", "Amik House", "Thunder Bay", "northwest",
     "+18075550106", "+18885550106", [ServiceLanguage.ENGLISH, ServiceLanguage.OJIBWE], True, ""),
    (K.INDIGENOUS, "Services familiaux autochtones du Nord-Ouest",
     "Northwest Indigenous Family Services", "Kenora", "northwest",
     "+18075550107", "", [ServiceLanguage.ENGLISH, ServiceLanguage.OJI_CREE], False,
     "30 Main Street South"),
    (K.VWAP, "Programme d'aide aux victimes et aux témoins — Toronto",
     "Victim/Witness Assistance Program — Toronto", "Toronto", "toronto",
     "+14165550108", "", FR_EN, False, "10 Armoury Street"),
    (K.VICTIM_SERVICES, "Services aux victimes de Peel", "Victim Services of Peel", "Brampton",
     "central-west", "+19055550109", "", [ServiceLanguage.ENGLISH, ServiceLanguage.PUNJABI],
     True, ""),
    (K.COUNSELLING, "Centre de counselling de Hamilton", "Hamilton Counselling Centre",
     "Hamilton", "central-south", "+19055550110", "", EN, False, "75 James Street North"),
    (K.LEGAL, "Clinique juridique de Windsor", "Windsor Legal Clinic", "Windsor", "southwest",
     "+15195550111", "", FR_EN, False, "400 Ouellette Avenue"),
    (K.CRISIS_LINE, "Ligne de soutien de Durham", "Durham Support Line", "Oshawa",
     "central-east", "+19055550112", "", EN, True, ""),
]


def load() -> None:
    """Create or update the demo directory."""
    for position, (slug, name_fr, name_en) in enumerate(REGIONS):
        Region.objects.update_or_create(
            slug=slug, defaults={"name_fr": name_fr, "name_en": name_en, "position": position}
        )
    regions = {region.slug: region for region in Region.objects.all()}

    court_fields = {**COURT, "region": regions[COURT["region"]]}
    Court.objects.update_or_create(slug=court_fields.pop("slug"), defaults=court_fields)

    for data in AGENCIES:
        fields = {**data, "region": regions[data["region"]], "published": True}
        courts = fields.pop("courts")
        agency, _ = Agency.objects.update_or_create(slug=fields.pop("slug"), defaults=fields)
        agency.courts.set(Court.objects.filter(slug__in=courts))

    for kind, name_fr, name_en, city, region, phone, toll_free, languages, h24, street in SERVICES:
        SupportService.objects.update_or_create(
            name_en=name_en,
            defaults={
                "kind": kind,
                "name_fr": name_fr,
                "city": city,
                "region": regions[region],
                "phone": phone,
                "toll_free_phone": toll_free,
                "languages": languages,
                "open_24h": h24,
                "street_address": street,
                "published": True,
            },
        )
