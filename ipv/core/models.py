"""Cross-cutting pieces: tenancy, permissions, PDF rendering, embedded services."""
