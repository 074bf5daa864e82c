"""The audit trail: change history of case data and reads of confidential records."""
