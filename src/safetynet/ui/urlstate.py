"""Widgets bound to the URL by *code*, so a copied link reproduces a view.

Widget state is dropped when the user switches pages, so `publish` also keeps
a shadow copy in session state (`_url_<key>`) that `seed` falls back on: the
region chosen on one screen is still chosen on the next.

Streamlit's own `bind="query-params"` writes the formatted label into the URL
when a widget has a `format_func` — a region would travel as "贵州省" and break
when the reader's language differs. Here the URL always holds the stored code
(`?prov=520000&lang=en`): `seed` loads it into session state before the widget
is drawn (ignoring invalid values, e.g. a hand-edited or hostile link), and
`publish` writes the widget's value back, dropping defaults to keep links short.

Every value read from the URL goes through a strict parser of its kind (`safetynet.urlparams`, by key in
`KINDS`; a code list otherwise). A value that is not even well formed (full-width digits, a sign, 20 digits, an
injection string) is refused with one Chinese warning and the default is used; a well-formed value that is
not offered here (another region's code, a site outside the region, a page past the last) falls back to
the default silently, as a stale link would.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import streamlit as st

from safetynet import urlparams
from safetynet.urlparams import Refusal

SHADOW = "_url_"
# the kind of each URL key that is not a plain code list (those are checked against the widget's options)
KINDS: dict[str, Callable[[str | None], str | int | Refusal]] = {
    "prov": urlparams.parse_adcode, "pref": urlparams.parse_adcode, "county": urlparams.parse_adcode,
    "site": urlparams.parse_id, "page": urlparams.parse_id, "month": urlparams.parse_month,
    "lead": lambda raw: urlparams.parse_id(raw, urlparams.INVALID_LEAD),
}


def refuse(refusal: Refusal) -> None:
    """Say once, in Chinese, that a value of the link was not used."""
    st.warning(refusal.localized(), icon=":material/link_off:")


def _from_url(key: str, valid: Collection[str], default: str) -> str:
    """The URL's value of `key` when it is one of `valid` (in its canonical spelling), else `default`."""
    raw = st.query_params.get(key)
    if raw is not None and raw in valid:  # None is never one of `valid`
        return raw
    parsed = KINDS[key](raw) if key in KINDS else urlparams.parse_choice(raw, valid)
    if isinstance(parsed, Refusal):
        refuse(parsed)
        return default
    canonical = str(parsed)  # 2024-10 → 202410
    return canonical if canonical in valid else default  # well formed, not offered here: as a stale link


def url_id(key: str, message: str = urlparams.INVALID_ID) -> int | None:
    """An id the URL names (?hh=123), or None when absent; a malformed one is refused with `message`."""
    if key not in st.query_params:
        return None
    parsed = urlparams.parse_id(st.query_params.get(key), message)
    if isinstance(parsed, Refusal):
        st.error(parsed.localized())
        return None
    return parsed


def seed(key: str, valid: Collection[str], default: str) -> None:
    """Initialise st.session_state[key] from the URL (else the shadow copy); reset invalid values."""
    if key not in st.session_state:
        if key in st.query_params:
            st.session_state[key] = _from_url(key, valid, default)
        else:
            raw = st.session_state.get(SHADOW + key, default)
            st.session_state[key] = raw if raw in valid else default
    elif st.session_state[key] not in valid:
        st.session_state[key] = default
    else:
        # re-assign: a value owned by the same-keyed widget of another page would otherwise be reset
        st.session_state[key] = st.session_state[key]


def seed_flag(key: str, default: bool) -> None:
    """Like `seed` for on/off widgets (toggles, checkboxes): "1"/"0" in the URL."""
    if key not in st.session_state:
        if key in st.query_params:
            parsed = urlparams.parse_flag(st.query_params.get(key))
            if isinstance(parsed, Refusal):
                refuse(parsed)
            st.session_state[key] = default if isinstance(parsed, Refusal) else parsed
        else:
            raw = st.session_state.get(SHADOW + key)
            st.session_state[key] = {"1": True, "0": False}.get(raw, default) if isinstance(raw, str) else default
    else:
        st.session_state[key] = bool(st.session_state[key])


def publish_flag(key: str, value: bool, default: bool) -> None:
    publish(key, "1" if value else "0", "1" if default else "0")


def seed_many(key: str, valid: Collection[str], default: Sequence[str] = ()) -> None:
    """Like `seed` for multi-selects: ?tier=高&tier=中 (invalid entries dropped)."""
    if key not in st.session_state:
        raw: list[str] | None
        if key in st.query_params:
            raw = st.query_params.get_all(key)
            if any(isinstance(urlparams.parse_choice(v, valid), Refusal) for v in raw):
                refuse(Refusal(urlparams.INVALID_CHOICE))
        else:
            raw = st.session_state.get(SHADOW + key)
        st.session_state[key] = [v for v in raw if v in valid] if raw is not None else list(default)
    else:
        st.session_state[key] = [v for v in (st.session_state[key] or []) if v in valid]


def publish(key: str, value: object, default: str | Sequence[str]) -> None:
    """Mirror a widget value into the URL (absent when it equals the default) and the shadow copy."""
    st.session_state[SHADOW + key] = list(value) if isinstance(value, (list, tuple)) else value
    if value is None or value == default or value == [] or value == list(default or []):
        if key in st.query_params:
            del st.query_params[key]
        return
    if isinstance(value, (list, tuple)):
        if st.query_params.get_all(key) != [str(v) for v in value]:
            st.query_params[key] = [str(v) for v in value]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
