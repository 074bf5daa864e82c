"""Benchmark data and pages of the public directory: 1,000 agencies, 5,000 support services."""

import random

from directory import demo
from directory.models import Agency, Program, Region, ServiceLanguage, SupportService

AGENCIES = 1_000
SERVICES = 5_000

CITIES = {
    "toronto": ["Toronto", "North York", "Scarborough", "Etobicoke"],
    "central-east": ["Oshawa", "Peterborough", "Barrie", "Newmarket", "Lindsay"],
    "central-west": ["Brampton", "Mississauga", "Guelph", "Orangeville", "Milton"],
    "central-south": ["Hamilton", "St. Catharines", "Brantford", "Welland", "Simcoe"],
    "east": ["Ottawa", "Kingston", "Cornwall", "Hawkesbury", "Belleville", "L'Orignal"],
    "northeast": ["Sudbury", "North Bay", "Timmins", "Sault Ste. Marie", "Kapuskasing"],
    "northwest": ["Thunder Bay", "Kenora", "Fort Frances", "Dryden", "Sioux Lookout"],
    "southwest": ["London", "Windsor", "Sarnia", "Chatham", "Stratford", "Woodstock"],
}
POSTAL_PREFIX = {
    "toronto": "M",
    "central-east": "L",
    "central-west": "L",
    "central-south": "L",
    "east": "K",
    "northeast": "P",
    "northwest": "P",
    "southwest": "N",
}
WORDS_FR = ["Services", "Centre", "Maison", "Réseau", "Carrefour", "Entraide", "Horizon"]
WORDS_EN = ["Services", "Centre", "House", "Network", "Crossroads", "Support", "Horizon"]
FOCUS_FR = ["familiaux", "communautaires", "de counseling", "de la famille", "régionaux"]
FOCUS_EN = ["Family", "Community", "Counselling", "Families", "Regional"]
OTHER_LANGUAGES = [value for value, _ in ServiceLanguage.choices][2:]


def _postal_code(rng, region_slug):
    letters = "ABCEGHJKLMNPRSTVXY"
    return (
        f"{POSTAL_PREFIX[region_slug]}{rng.randint(0, 9)}{rng.choice(letters)} "
        f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}"
    )


def _languages(rng):
    languages = rng.choice([["fr", "en"], ["en"], ["fr"], ["en", "fr"]])
    if rng.random() < 0.3:
        languages = [*languages, rng.choice(OTHER_LANGUAGES)]
    return languages


def seed() -> dict:
    """Create the data set once; later runs find it and reuse it."""
    demo.load()
    rng = random.Random(2026)  # noqa: S311 (fixed, reproducible data, not security)
    regions = list(Region.objects.all())
    if Agency.objects.count() < AGENCIES:
        agencies = []
        for n in range(Agency.objects.count(), AGENCIES):
            region = regions[n % len(regions)]
            city = rng.choice(CITIES[region.slug])
            indigenous = n % 9 == 0
            word = rng.randrange(len(WORDS_FR))
            focus = rng.randrange(len(FOCUS_FR))
            agencies.append(
                Agency(
                    slug=f"bench-agency-{n}",
                    name_fr=f"{WORDS_FR[word]} {FOCUS_FR[focus]} de {city} {n}",
                    name_en=f"{city} {FOCUS_EN[focus]} {WORDS_EN[word]} {n}",
                    description_fr="Programme de 12 séances de groupe, soutien aux partenaires.",
                    description_en="Twelve group sessions; support for partners and families.",
                    street_address=f"{100 + n} Main Street",
                    city=city,
                    postal_code=_postal_code(rng, region.slug),
                    region=region,
                    phone=f"+1613555{n % 10_000:04d}",
                    email=f"info{n}@agency.example.org",
                    languages=_languages(rng),
                    programs=[Program.IPIV] if indigenous else [Program.IPV],
                    indigenous_led=indigenous,
                    published=n % 20 != 0,
                )
            )
        Agency.objects.bulk_create(agencies, batch_size=500)
    if SupportService.objects.count() < SERVICES:
        kinds = [value for value, _ in SupportService.Kind.choices]
        services = []
        for n in range(SupportService.objects.count(), SERVICES):
            region = regions[n % len(regions)]
            kind = kinds[n % len(kinds)]
            city = rng.choice(CITIES[region.slug])
            services.append(
                SupportService(
                    kind=kind,
                    name_fr=f"Service {n} de {city}",
                    name_en=f"{city} service {n}",
                    phone=f"+1705555{n % 10_000:04d}",
                    city=city,
                    region=region,
                    languages=_languages(rng),
                    open_24h=n % 4 == 0,
                    street_address="" if kind == SupportService.Kind.SHELTER else "1 King Street",
                    published=n % 25 != 0,
                )
            )
        SupportService.objects.bulk_create(services, batch_size=1_000)
    return {
        "agencies": Agency.objects.count(),
        "support_services": SupportService.objects.count(),
    }


HTMX = {"HX-Request": "true", "HX-Target": "results"}


def pages() -> list[tuple[str, str, dict, None]]:
    """(name, URL, headers, nobody signed in) of each public page, as people use it."""
    agency = Agency.objects.published().order_by("pk").last()
    return [
        ("home", "/fr/", {}, None),
        ("agency search, no criteria", "/fr/directory/", {}, None),
        ("agency search, free text", "/fr/directory/?q=famil", {}, None),
        (
            "agency search, region + language + program",
            "/en/directory/?region=east&language=fr&program=ipv",
            {},
            None,
        ),
        ("agency search, city prefix", "/fr/directory/?city=sault", {}, None),
        ("agency search, page 20", "/en/directory/?page=20", {}, None),
        ("agency search, htmx update", "/en/directory/?q=centre", HTMX, None),
        ("agency page", f"/en/directory/agencies/{agency.slug}/", {}, None),
        ("services, no criteria", "/en/directory/services/", {}, None),
        (
            "services, type + 24 h + text",
            "/fr/directory/services/?kind=shelter&open_24h=on&q=thunder",
            {},
            None,
        ),
    ]


# The floors: the hand-written SQL that fetches what each page shows (ipv.pages' bench command).
AGENCY_COLUMNS = """
    a.id, a.slug, a.name_{lang}, a.street_address, a.city, a.postal_code, a.phone, a.email,
    a.website, a.languages, a.programs, a.indigenous_led, r.name_{lang}
"""
SERVICE_COLUMNS = """
    s.id, s.kind, s.name_{lang}, s.phone, s.toll_free_phone, s.email, s.website, s.city,
    s.street_address, s.languages, s.open_24h, r.name_{lang}
"""
REGIONS = ("SELECT id, slug, name_fr, name_en FROM directory_region ORDER BY position, slug", [])
UNACCENTED_LIKE = "LIKE '%%' || f_unaccent(lower(%s)) || '%%'"


def _agencies(lang: str, where: str = "", params=(), offset: int = 0) -> list[tuple]:
    """The count and the page of 20 published agencies `where`, by name, with their region;
    and the regions (the search form's)."""
    order = f'f_unaccent(lower(a.name_{lang})) COLLATE "ipv_{lang}", a.id'
    columns = AGENCY_COLUMNS.format(lang=lang)
    return [
        (f"SELECT count(*) FROM directory_agency a WHERE a.published {where}", list(params)),  # noqa: S608
        REGIONS,
        (
            f"SELECT {columns} FROM directory_agency a "  # noqa: S608 (fixed text)
            f"JOIN directory_region r ON r.id = a.region_id WHERE a.published {where} "
            f"ORDER BY {order} LIMIT 20 OFFSET {offset}",
            list(params),
        ),
    ]


def _services(lang: str, where: str = "", params=()) -> list[tuple]:
    order = f'f_unaccent(lower(s.name_{lang})) COLLATE "ipv_{lang}", s.id'
    columns = SERVICE_COLUMNS.format(lang=lang)
    return [
        (
            f"SELECT count(*) FROM directory_supportservice s WHERE s.published {where}",  # noqa: S608
            list(params),
        ),
        REGIONS,
        (
            f"SELECT {columns} FROM directory_supportservice s "  # noqa: S608 (fixed text)
            f"JOIN directory_region r ON r.id = s.region_id WHERE s.published {where} "
            f"ORDER BY {order} LIMIT 20",
            list(params),
        ),
    ]


def floors() -> dict:
    agency = Agency.objects.published().order_by("pk").last()
    text = f"AND a.search_text {UNACCENTED_LIKE}"
    return {
        "home": [
            ("SELECT count(*) FROM directory_agency WHERE published", []),
            ("SELECT count(*) FROM directory_supportservice WHERE published", []),
            REGIONS,
        ],
        "agency search, no criteria": _agencies("fr"),
        "agency search, free text": _agencies("fr", text, ["famil"]),
        "agency search, region + language + program": _agencies(
            "en",
            "AND a.region_id = (SELECT id FROM directory_region WHERE slug = %s) "
            "AND a.languages @> ARRAY['fr']::varchar(3)[] "
            "AND a.programs @> ARRAY['ipv']::varchar(4)[]",
            ["east"],
        ),
        "agency search, city prefix": _agencies(
            "fr", "AND f_unaccent(lower(a.city)) LIKE f_unaccent(lower(%s)) || '%%'", ["sault"]
        ),
        "agency search, page 20": _agencies("en", offset=380),
        # htmx: the results alone (no search form, so no regions).
        "agency search, htmx update": [
            query for query in _agencies("en", text, ["centre"]) if query is not REGIONS
        ],
        "agency page": [
            (
                f"SELECT {AGENCY_COLUMNS.format(lang='en')}, a.description_en, "  # noqa: S608
                "a.accessibility_notes_en FROM directory_agency a "
                "JOIN directory_region r ON r.id = a.region_id "
                "WHERE a.published AND a.slug = %s",
                [agency.slug],
            ),
            (
                "SELECT c.id, c.name_en, c.street_address, c.city FROM directory_court c "
                "JOIN directory_agency_courts ac ON ac.court_id = c.id "
                "WHERE ac.agency_id = %s ORDER BY c.name_en",
                [agency.pk],
            ),
        ],
        "services, no criteria": _services("en"),
        "services, type + 24 h + text": _services(
            "fr",
            f"AND s.search_text {UNACCENTED_LIKE} AND s.kind = 'shelter' AND s.open_24h",
            ["thunder"],
        ),
    }
