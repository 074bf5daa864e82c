"""The outbox of emails and text messages, sent by a periodic job."""
