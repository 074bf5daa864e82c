"""factory_boy factories with fixed, readable values for anything a test asserts."""

import factory

from directory.models import Agency, Court, Program, Region, ServiceLanguage, SupportService
from ipv.accounts.models import User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    slug = "east"
    name_fr = "Est"
    name_en = "East"
    position = 4


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Court
        django_get_or_create = ["slug"]

    slug = "ottawa"
    name_fr = "Palais de justice d'Ottawa"
    name_en = "Ottawa Courthouse"
    city = "Ottawa"
    postal_code = "K2P 2K1"
    region = factory.SubFactory(RegionFactory)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_fr = factory.Sequence(lambda n: f"Organisme {n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")
    street_address = "100 Main Street"
    city = "Ottawa"
    postal_code = "K1P 5J3"
    region = factory.SubFactory(RegionFactory)
    phone = "+16135550100"
    email = "info@agency.example.org"
    languages = [ServiceLanguage.FRENCH, ServiceLanguage.ENGLISH]
    programs = [Program.IPV]
    published = True


class SupportServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportService

    kind = SupportService.Kind.COUNSELLING
    name_fr = factory.Sequence(lambda n: f"Service {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    phone = "+16135550199"
    city = "Ottawa"
    region = factory.SubFactory(RegionFactory)
    languages = [ServiceLanguage.ENGLISH]
    published = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = "Dana Example"
    password = factory.django.Password("correct-horse-battery-staple")
