"""Cross-cutting pieces: tenancy, permissions, PDF rendering, embedded services."""

from django.db import models


class SecurityStoreEntry(models.Model):
    """One value of the security store (ipv.core.cache.DatabaseStore): a sign-in throttle's
    history, a one-time code already used, a short lock. Kept in PostgreSQL so that these
    decisions hold while Redis is down; rows past `expires_at` count as absent and are swept."""

    key = models.CharField(max_length=250, primary_key=True)
    value = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_security_store"

    def __str__(self):
        return self.key


class Heartbeat(models.Model):
    """When a periodic job last ran: /healthz reads it to say whether beat is running."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.at}"
