"""The shared filters every screen honours, as one frozen (hashable) value.

Pages read it from the sidebar widgets (bound to the URL, so a link reproduces
the view) and pass it to the cached loaders; queries turn it into bound
parameters. Region scope (issue: access control) narrows it further in the
query layer, never only in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from safetynet.domain import codes
from safetynet.domain.lines import NATION


class OutOfScope(ValueError):
    """A query asked for a region outside the viewer's scope."""


def _prefix(adcode: str) -> str:
    if adcode == NATION:
        return ""
    while adcode.endswith("00") and len(adcode) > 2:
        adcode = adcode[:-2]
    return adcode


@dataclass(frozen=True)
class Filters:
    region: str = NATION  # adcode of any level; "000000" = everywhere
    population: str | None = None  # "worker" / "rural" / None = both
    category: str | None = None  # W1 … R03 / None = all of the population
    scope: str = NATION  # the viewer's region scope: region must lie inside it

    def __post_init__(self) -> None:
        for code in (self.region, self.scope):
            if not (len(code) == 6 and code.isdigit()):
                raise ValueError(f"region must be a 6-digit adcode, got {code!r}")
        # Every query filters by `region`, so a region outside the scope can never be asked for.
        if not self.region.startswith(_prefix(self.scope)) or (self.scope != NATION and self.region == NATION):
            raise OutOfScope(f"region {self.region} is outside scope {self.scope}")
        if self.population not in (None, *codes.POPULATIONS):
            raise ValueError(f"unknown population {self.population!r}")
        if self.category not in (None, *codes.CATEGORIES):
            raise ValueError(f"unknown category {self.category!r}")

    def categories(self) -> tuple[str, ...]:
        """The category codes the filter admits."""
        if self.category:
            return (self.category,)
        if self.population == "worker":
            return ("W1", "W2", "W3")
        if self.population == "rural":
            return ("R01", "R02", "R03")
        return tuple(codes.CATEGORIES)

    def with_region(self, region: str) -> Filters:
        return replace(self, region=region)
