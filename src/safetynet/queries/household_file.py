"""One household's file (一户一档): everything recorded about it, by primary key."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from safetynet.domain.lines import region_chain


def _frame(engine: Engine, sql: str, **params: object) -> pd.DataFrame:
    stmt = text(sql)
    lists = [bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list)]
    return pd.read_sql(stmt.bindparams(*lists) if lists else stmt, engine, params=params)


def find(engine: Engine, file_no: str) -> int | None:
    """hh_id of a file number (exact match)."""
    rows = _frame(engine, "SELECT hh_id FROM household WHERE file_no = :f", f=file_no.strip())
    return int(rows["hh_id"].iloc[0]) if not rows.empty else None


def household(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, """
        SELECT h.*, g.name AS area, g.prov_adcode, g.pref_adcode, s.name AS site_name, o.name AS org_name,
               i.name_zh AS industry_zh, i.name_en AS industry_en, i.line_multiplier
        FROM household h
        JOIN region g ON g.adcode = h.adcode
        LEFT JOIN relocation_site s ON s.site_id = h.site_id
        LEFT JOIN union_org o ON o.org_id = h.org_id
        LEFT JOIN industry i ON i.code = h.industry_code
        WHERE h.hh_id = :hh""", hh=hh_id)


def members(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, """
        SELECT p.*, i.name_zh AS industry_zh, i.name_en AS industry_en, og.name AS origin_name, wg.name AS work_name
        FROM person p
        LEFT JOIN industry i ON i.code = p.industry_code
        LEFT JOIN region og ON og.adcode = p.origin_adcode
        LEFT JOIN region wg ON wg.adcode = p.work_adcode
        WHERE p.hh_id = :hh ORDER BY p.relation, p.birth_year""", hh=hh_id)


def months(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, "SELECT * FROM household_month WHERE hh_id = :hh ORDER BY month", hh=hh_id)


def scores(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, "SELECT * FROM risk_score WHERE hh_id = :hh ORDER BY month", hh=hh_id)


def current(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, "SELECT * FROM household_current WHERE hh_id = :hh", hh=hh_id)


def events(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, "SELECT * FROM risk_event WHERE hh_id = :hh ORDER BY occurred_on", hh=hh_id)


def assistance(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, """
        SELECT a.*, hp.name AS helper_name FROM assistance a LEFT JOIN helper hp ON hp.helper_id = a.helper_id
        WHERE a.hh_id = :hh ORDER BY a.delivered_on""", hh=hh_id)


def pairings(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, """
        SELECT pr.*, hp.name AS helper_name, hp.helper_kind, hp.unit, hp.phone AS helper_phone
        FROM pairing pr JOIN helper hp ON hp.helper_id = pr.helper_id
        WHERE pr.hh_id = :hh ORDER BY pr.start_on""", hh=hh_id)


def followups(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, "SELECT * FROM followup WHERE hh_id = :hh ORDER BY followed_on", hh=hh_id)


def status_history(engine: Engine, hh_id: int) -> pd.DataFrame:
    return _frame(engine, "SELECT * FROM household_status WHERE hh_id = :hh ORDER BY changed_on, change_id", hh=hh_id)


def lines_for(engine: Engine, adcode: str) -> pd.DataFrame:
    """region_line rows on the household's inheritance chain (county → nation)."""
    return _frame(engine, "SELECT * FROM region_line WHERE adcode IN :codes", codes=region_chain(adcode))
