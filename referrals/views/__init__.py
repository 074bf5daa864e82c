"""Views of the referrals app: the agency's pages (agency, intake, transfers) and the court
liaison portal (court)."""
