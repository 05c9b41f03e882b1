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
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st

SHADOW = "_url_"


def seed(key: str, valid: Collection[str], default: str) -> None:
    """Initialise st.session_state[key] from the URL (else the shadow copy); reset invalid values."""
    if key not in st.session_state:
        raw = st.query_params.get(key) if key in st.query_params else st.session_state.get(SHADOW + key, default)
        st.session_state[key] = raw if raw in valid else default
    elif st.session_state[key] not in valid:
        st.session_state[key] = default
    else:
        # re-assign: a value owned by the same-keyed widget of another page would otherwise be reset
        st.session_state[key] = st.session_state[key]


def seed_flag(key: str, default: bool) -> None:
    """Like `seed` for on/off widgets (toggles, checkboxes): "1"/"0" in the URL."""
    if key not in st.session_state:
        raw = st.query_params.get(key) if key in st.query_params else st.session_state.get(SHADOW + key)
        st.session_state[key] = {"1": True, "0": False}.get(raw, default) if isinstance(raw, str) else default
    else:
        st.session_state[key] = bool(st.session_state[key])


def publish_flag(key: str, value: bool, default: bool) -> None:
    publish(key, "1" if value else "0", "1" if default else "0")


def seed_many(key: str, valid: Collection[str], default: Sequence[str] = ()) -> None:
    """Like `seed` for multi-selects: ?tier=高&tier=中 (invalid entries dropped)."""
    if key not in st.session_state:
        raw = st.query_params.get_all(key) if key in st.query_params else st.session_state.get(SHADOW + key)
        st.session_state[key] = [v for v in raw if v in valid] if raw is not None else list(default)
    else:
        st.session_state[key] = [v for v in (st.session_state[key] or []) if v in valid]


def publish(key: str, value: object, default: object) -> None:
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
