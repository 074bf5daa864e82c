"""A plain context for each template of the messages to victims and partners, for the test that
renders every message template in French and in English."""

SAMPLES = {
    "emails/victim_update": lambda: {
        "phone": "613-555-0100",
        "named": True,
        "program": "ipv",
        "news": "intake_done",
    },
    "texts/victim_update": lambda: {
        "phone": "613-555-0100",
        "named": True,
        "program": "ipiv",
        "news": "completed",
    },
}
