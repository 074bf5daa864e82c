"""A plain context for each staff and court email template, as ipv.pages.digests and
sessions_app.services.court_messages build them, for the test that renders every template in
both languages. The lines of a staff digest are worded when it is written (in the reader's
language), so they arrive here as text."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

TORONTO = ZoneInfo("America/Toronto")
BASE = "http://127.0.0.1:8000"


def _document(kind, number, issued_at):
    return {
        "court_file_number": number,
        "kind": kind,
        "court": "Ottawa Courthouse",
        "agency": "River Services",
        "issued_at": issued_at,
        "url": f"{BASE}/en/court/referrals/41/#documents-heading",
    }


SAMPLES = {
    "emails/staff_digest": lambda: {
        "recipient": "Isabelle",
        "date": date(2026, 12, 1),
        "agencies": [
            {
                "name": "River Services",
                "lines": [
                    {
                        "what": "overdue",
                        "count": 3,
                        "text": "3 overdue referrals",
                        "url": f"{BASE}/en/a/riviere/referrals/?overdue=on",
                    },
                    {
                        "what": "mine_today",
                        "count": 1,
                        "text": "1 outreach task assigned to you, due today",
                        "url": f"{BASE}/en/a/riviere/outreach/?due=today",
                    },
                ],
            }
        ],
        "preferences_url": f"{BASE}/en/account/notifications/",
    },
    "emails/court_document": lambda: {
        "recipient": "Louis",
        **_document("progress", "4811-998-26-00001", datetime(2026, 11, 30, 14, 0, tzinfo=TORONTO)),
        "preferences_url": f"{BASE}/en/account/notifications/",
    },
    "emails/court_digest": lambda: {
        "recipient": "Louis",
        "since": datetime(2026, 11, 30, 7, 0, tzinfo=TORONTO),
        "documents": [
            _document(
                "certificate", "4811-998-26-00001", datetime(2026, 11, 30, 9, 15, tzinfo=TORONTO)
            ),
            _document(
                "return_notice", "4811-998-26-00007", datetime(2026, 11, 30, 16, 40, tzinfo=TORONTO)
            ),
        ],
        "preferences_url": f"{BASE}/en/account/notifications/",
    },
}
