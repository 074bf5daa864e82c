"""Writes of the referrals app, one module per subject: referrals (recording, correcting,
statuses), intake, transfers, duplicates. Each write is a transaction that leaves a line in
the referral's timeline and an event in the audit trail."""
