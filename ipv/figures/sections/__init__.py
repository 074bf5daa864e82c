"""The dashboards' sections, in the order a page shows them. Each module defines its figures
(label, written definition, rule) and how they are computed for a scope and two periods."""
