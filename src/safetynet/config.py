"""Every setting in one documented place.

Deployments set environment variables; local runs may put the same keys in
`.streamlit/secrets.toml` (read by the app only). `SETTINGS` is the single list
the README and a test check against, so an undocumented setting fails CI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The embedded database lives under the working directory (where `streamlit run app.py` or `python -m
# safetynet` is started), not where the package is installed: an installed package would otherwise write
# into site-packages' parent.
DEFAULT_DB_RELATIVE = Path("data") / "safetynet.db"


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SAFETYNET_DB_URL",
        f"sqlite:///{DEFAULT_DB_RELATIVE.as_posix()}",
        "SQLAlchemy URL of the shared database (PostgreSQL: postgresql+psycopg://user@host/db); unset, "
        "data/safetynet.db under the working directory.",
    ),
    Setting(
        "SAFETYNET_DEMO_HOUSEHOLDS",
        "3000",
        "Households generated on first start when the database is empty.",
    ),
    Setting(
        "SAFETYNET_DEMO_MONTHS",
        "24",
        "Months of history generated on first start.",
    ),
    Setting(
        "SAFETYNET_AUTO_DEMO",
        "1",
        "1 = fill an empty database with demo data on first start; 0 = never (production).",
    ),
    Setting(
        "SAFETYNET_GEO_DIR",
        str(REPO_ROOT / "data" / "geo"),
        "Folder with the offline boundary files (see data/geo/ATTRIBUTION.md).",
    ),
    Setting(
        "SAFETYNET_DEMO_MODE",
        "auto",
        "1 = demo accounts with one-click sign-in and a 演示模式 banner; 0 = off (production); "
        "auto = on only while SAFETYNET_DB_URL is unset (the embedded demo database).",
    ),
    Setting(
        "SAFETYNET_AUTH",
        "password",
        "password = users in the database (argon2 hashes); oidc = Streamlit st.login with the [auth] "
        "section of .streamlit/secrets.toml, mapped to users by their `sub` claim.",
    ),
    Setting(
        "SAFETYNET_SESSION_MINUTES",
        "30",
        "Minutes of inactivity after which a signed-in session expires.",
    ),
    Setting(
        "SAFETYNET_SECRET_KEY",
        "",
        "Key that signs the browser cookie of a kept sign-in; unset, a random key made once in "
        ".streamlit/session.key under the working directory. Give every host behind one address the same "
        "key; changing it signs every browser out.",
    ),
    Setting(
        "SAFETYNET_IMPORT_WAIT_SECONDS",
        "60",
        "Seconds an import waits for another import to finish (imports run one at a time) before it is "
        "refused with a message to try again later.",
    ),
    Setting(
        "SAFETYNET_DEBUG",
        "0",
        "1 = show full tracebacks from the CLI instead of one-line errors.",
    ),
    Setting(
        "SAFETYNET_LANG",
        "zh",
        "Default UI language: zh (简体中文) or en.",
    ),
)

_BY_ENV = {s.env: s for s in SETTINGS}


def get(env: str) -> str:
    """Value of a documented setting; unknown names are a programming error."""
    setting = _BY_ENV[env]
    value = os.environ.get(env, "").strip()
    return value or setting.default


def db_url() -> str:
    """SAFETYNET_DB_URL, or the embedded database under the working directory as an absolute path (one file
    whatever directory the process moves to later)."""
    configured = os.environ.get("SAFETYNET_DB_URL", "").strip()
    return configured or f"sqlite:///{(Path.cwd() / DEFAULT_DB_RELATIVE).as_posix()}"


def get_int(env: str) -> int:
    raw = get(env)
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{env} must be an integer, got {raw!r}") from exc


def get_bool(env: str) -> bool:
    return get(env).lower() in {"1", "true", "yes", "on"}


def demo_mode() -> bool:
    """Demo mode is explicit: on when set to 1, or (auto) when no database URL is configured."""
    value = get("SAFETYNET_DEMO_MODE").lower()
    if value == "auto":
        return not os.environ.get("SAFETYNET_DB_URL", "").strip()
    return value in {"1", "true", "yes", "on"}
