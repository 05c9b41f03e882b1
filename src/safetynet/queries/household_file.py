"""One household's file (一户一档): everything recorded about it, by primary key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import BindParameter, Engine, Table, bindparam, text

from safetynet.auth import scope_prefix
from safetynet.db import schema as S
from safetynet.domain.lines import NATION, region_chain
from safetynet.queries.typed import read_frame


def _frame(engine: Engine, sql: str, tables: Iterable[Table] = (), **params: object) -> pd.DataFrame:
    """The rows of `sql`, with the column types of `tables` whatever the backend (see queries.typed)."""
    stmt = text(sql)
    lists: list[BindParameter[Any]] = [bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list)]
    return read_frame(engine, stmt.bindparams(*lists) if lists else stmt, params, tables)


def _scoped(engine: Engine, sql: str, hh: int, scope: str, tables: Iterable[Table], **params: object) -> pd.DataFrame:
    """Run `sql` for household :hh only when that household lies inside `scope`.

    Every read of a household's file goes through here, so a link naming a
    household of another region returns nothing — whatever the page does.
    """
    guard = "EXISTS (SELECT 1 FROM household sg WHERE sg.hh_id = :hh AND sg.adcode LIKE :scope_prefix)"
    sql = sql.replace("{scope}", guard)
    return _frame(engine, sql, tables, hh=hh, scope_prefix=scope_prefix(scope) + "%", **params)


FILE_NO_MAX = 32  # household.file_no is VARCHAR(32)


def find(engine: Engine, file_no: str, scope: str = NATION) -> int | None:
    """hh_id of a file number (exact match) inside `scope`.

    Text no file number can be — longer than the column, or with a NUL (PostgreSQL refuses NUL in any text
    parameter, an error instead of "not found") — finds nothing without a query, like an unknown number."""
    wanted = file_no.strip()
    if not wanted or len(wanted) > FILE_NO_MAX or "\x00" in wanted:
        return None
    rows = _frame(engine, "SELECT hh_id FROM household WHERE file_no = :f AND adcode LIKE :sp",
                  f=wanted, sp=scope_prefix(scope) + "%")
    return int(rows["hh_id"].iloc[0]) if not rows.empty else None


def household(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, """
        SELECT h.*, g.name AS area, g.prov_adcode, g.pref_adcode, s.name AS site_name, o.name AS org_name,
               i.name_zh AS industry_zh, i.name_en AS industry_en, i.line_multiplier
        FROM household h
        JOIN region g ON g.adcode = h.adcode
        LEFT JOIN relocation_site s ON s.site_id = h.site_id
        LEFT JOIN union_org o ON o.org_id = h.org_id
        LEFT JOIN industry i ON i.code = h.industry_code
        WHERE h.hh_id = :hh AND {scope}""", hh_id, scope, [S.household])


def members(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, """
        SELECT p.*, i.name_zh AS industry_zh, i.name_en AS industry_en, og.name AS origin_name, wg.name AS work_name
        FROM person p
        LEFT JOIN industry i ON i.code = p.industry_code
        LEFT JOIN region og ON og.adcode = p.origin_adcode
        LEFT JOIN region wg ON wg.adcode = p.work_adcode
        WHERE p.hh_id = :hh AND {scope} ORDER BY p.relation, p.birth_year""", hh_id, scope, [S.person])


def months(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, "SELECT * FROM household_month WHERE hh_id = :hh AND {scope} ORDER BY month", hh_id, scope,
                   [S.household_month])


def scores(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, "SELECT * FROM risk_score WHERE hh_id = :hh AND {scope} ORDER BY month", hh_id, scope,
                   [S.risk_score])


def current(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, "SELECT * FROM household_current WHERE hh_id = :hh AND {scope}", hh_id, scope,
                   [S.household_current])


def events(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, "SELECT * FROM risk_event WHERE hh_id = :hh AND {scope} ORDER BY occurred_on", hh_id, scope,
                   [S.risk_event])


def assistance(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, """
        SELECT a.*, hp.name AS helper_name FROM assistance a LEFT JOIN helper hp ON hp.helper_id = a.helper_id
        WHERE a.hh_id = :hh AND {scope} ORDER BY a.delivered_on""", hh_id, scope, [S.assistance])


def pairings(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, """
        SELECT pr.*, hp.name AS helper_name, hp.helper_kind, hp.unit, hp.phone AS helper_phone
        FROM pairing pr JOIN helper hp ON hp.helper_id = pr.helper_id
        WHERE pr.hh_id = :hh AND {scope} ORDER BY pr.start_on""", hh_id, scope, [S.pairing])


def followups(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, "SELECT * FROM followup WHERE hh_id = :hh AND {scope} ORDER BY followed_on", hh_id, scope,
                   [S.followup])


def status_history(engine: Engine, hh_id: int, scope: str = NATION) -> pd.DataFrame:
    return _scoped(engine, "SELECT * FROM household_status WHERE hh_id = :hh AND {scope} ORDER BY changed_on, change_id",
                   hh_id, scope, [S.household_status])


def lines_for(engine: Engine, adcode: str) -> pd.DataFrame:
    """region_line rows on the household's inheritance chain (county → nation)."""
    return _frame(engine, "SELECT * FROM region_line WHERE adcode IN :codes", [S.region_line], codes=region_chain(adcode))
