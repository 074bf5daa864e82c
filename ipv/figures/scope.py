"""Whose figures are counted: one agency's, the referrals of some courts across agencies (a
court liaison officer's), or every agency's (the province)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# A count this small, in a table that leaves the agency, could point at a person.
SMALLEST_SHOWN = 5
SUPPRESSED = _("< 5")


@dataclass(frozen=True)
class Scope:
    """`agencies` and `courts` are sets of ids; None means no limit on that side."""

    agencies: frozenset[int] | None = None
    courts: frozenset[int] | None = None

    @classmethod
    def agency(cls, agency) -> "Scope":
        return cls(agencies=frozenset({agency.pk}))

    @classmethod
    def of_courts(cls, court_ids) -> "Scope":
        return cls(courts=frozenset(court_ids))

    @classmethod
    def province(cls) -> "Scope":
        return cls()

    @property
    def key(self) -> str:
        """The scope written as text (what the summaries are stored under): "province",
        "agency:12" or "courts:3,7"."""
        if self.agencies is None and self.courts is None:
            return "province"
        if self.single_agency is not None:
            return f"agency:{self.single_agency}"
        if self.agencies is None:
            return "courts:" + ",".join(str(pk) for pk in sorted(self.courts))
        raise ValueError("This scope has no key.")

    @classmethod
    def from_key(cls, key: str) -> "Scope":
        kind, _sep, ids = key.partition(":")
        if kind == "province" and not ids:
            return cls.province()
        numbers = frozenset(int(pk) for pk in ids.split(",")) if ids else frozenset()
        if kind == "agency" and len(numbers) == 1:
            return cls(agencies=numbers)
        if kind == "courts":
            return cls(courts=numbers)
        raise ValueError(f"No scope is written {key!r}.")

    @property
    def beyond_agency(self) -> bool:
        """Whether what is counted here is read outside the agency: small counts are then
        shown as "< 5"."""
        return self.agencies is None or len(self.agencies) != 1

    @property
    def single_agency(self) -> int | None:
        """The agency whose own figures these are: one agency, not narrowed to some courts."""
        if self.courts is not None or not self.agencies or len(self.agencies) != 1:
            return None
        return next(iter(self.agencies))

    def rows(self, queryset: QuerySet, *, agency: str = "agency", court: str = "referral__court"):
        """`queryset` narrowed to the scope. `agency` and `court` are the lookups from the
        model counted to its agency and to its referral's court."""
        if self.agencies is not None:
            queryset = queryset.filter(**{f"{agency}__in": self.agencies})
        if self.courts is not None:
            queryset = queryset.filter(**{f"{court}__in": self.courts})
        return queryset
