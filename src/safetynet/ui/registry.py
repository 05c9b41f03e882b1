"""Every screen in one list: app.py builds the navigation from it, tests visit each entry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str  # under pages/
    title: str  # Chinese; translated at render time
    icon: str
    url_path: str
    section: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "总览", ":material/dashboard:", "overview", "监测"),
)
