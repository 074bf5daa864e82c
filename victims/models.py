"""The confidential store: victims, partners, consent, outreach, safety plans."""
