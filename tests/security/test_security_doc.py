"""docs/security.md names the test behind each promise: every test it names exists, and every test file of the
attack suite is named there (a promise without its test, or a test without its promise, fails here)."""

from __future__ import annotations

import re

from safetynet.config import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "security.md").read_text(encoding="utf-8")


def _references() -> list[tuple[str, str | None]]:
    """(file, test) pairs: `tests/x.py::name`, `…::name` (the file of the reference before it) or a whole file."""
    found, current = [], None
    for path, name in re.findall(r"`(tests/[\w/]+\.py|…)(?:::(\w+))?`", DOC):
        current = current if path == "…" else path
        found.append((current, name or None))
    return found


def test_every_test_named_in_the_security_page_exists():
    refs = _references()
    assert len(refs) > 30
    for path, name in refs:
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert name is None or re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} does not exist"


def test_every_file_of_the_attack_suite_is_on_the_security_page():
    named = {path for path, _ in _references()}
    for test_file in sorted((REPO_ROOT / "tests" / "security").glob("test_*.py")):
        relative = test_file.relative_to(REPO_ROOT).as_posix()
        assert relative in named or test_file.name == "test_security_doc.py", f"{relative} is not on docs/security.md"
