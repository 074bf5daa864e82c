"""Fee schedules, assessments, negotiation, payments and receipts."""
