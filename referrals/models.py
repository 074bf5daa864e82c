"""Participants and court referrals, from the order to a group placement."""
