from django.core.management.base import BaseCommand
from django.db import transaction

from directory import demo as directory_demo
from fees import demo as fees_demo
from ipv.accounts import demo as accounts_demo
from ipv.pages.demo import messages as messages_demo
from ipv.pages.demo import outreach as outreach_demo
from ipv.pages.demo import referrals as referrals_demo
from ipv.pages.demo import sessions as sessions_demo


class Command(BaseCommand):
    help = "Load the demo data of DESIGN.md (idempotent: loading twice leaves the same rows)."

    @transaction.atomic
    def handle(self, *args, **options):
        directory_demo.load()
        accounts_demo.load()
        referrals_demo.load()
        sessions_demo.load()
        fees_demo.load()
        outreach_demo.load()
        messages_demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
