"""Relapse-risk score (DOMAIN §3): eight factors, hard triggers, tiers, reasons.

The rules run on whole columns (numpy) because they score millions of
household-months; `score_one` wraps the same code for a single household so
tests and the household file see exactly what the batch sees.

Inputs are a DataFrame with the columns of `INPUT_COLUMNS`. The period for
income adequacy is the trailing 12 months (annualised when fewer are on file);
the income shock compares the last 3 months with the same 3 months a year
earlier. A score is a prompt for a visit, not an eligibility decision.
"""

from __future__ import annotations

from enum import IntFlag

import numpy as np
import pandas as pd

RULES_VERSION = "2026.11-1"


class Trigger(IntFlag):
    """Hard triggers: tier 高 whatever the score."""

    DROPOUT = 1  # 义务教育阶段失学辍学
    NO_MEDICAL_INSURANCE = 2  # 未参加基本医疗保险
    UNSAFE_HOUSING = 4
    UNSAFE_WATER = 8
    SUDDEN_EVENT = 16  # event costs ≥ 80 % of annual household income
    BELOW_LINE_NO_AID = 32  # r < 1 with no assistance recorded
    NO_LABOUR_NO_COVER = 64  # nobody can work and no 低保/特困 cover


class Reason(IntFlag):
    """Which rule inside a factor gave the points (so reasons can be re-rendered)."""

    A_INCOME = 1
    B_DROP = 2
    C_OUT_LONG = 4
    C_OUT_SHORT = 8
    C_ARREARS = 16
    C_PLATFORM = 32
    C_SHORT_CONTRACT = 64
    D_MEDICAL = 128
    D_SCHOOL = 256
    E_NO_LABOUR = 512
    E_DEPENDENCY = 1024
    E_ILLNESS = 2048
    F_RELOCATED = 4096
    G_UNINSURED = 8192
    G_DIBAO_GAP = 16384
    H_COUNSELLING = 32768
    H_ISOLATED = 65536
    H_NEWGEN = 131072


FACTORS = ("a", "b", "c", "d", "e", "f", "g", "h")
FACTOR_MAX = {"a": 30, "b": 15, "c": 15, "d": 15, "e": 10, "f": 5, "g": 5, "h": 5}
FACTOR_LABELS = {
    "a": ("收入水平", "Income adequacy"),
    "b": ("收入骤降", "Income shock"),
    "c": ("就业稳定", "Job stability"),
    "d": ("刚性支出", "Rigid spending"),
    "e": ("劳动力", "Labour and dependants"),
    "f": ("搬迁安置", "Relocation"),
    "g": ("保障缺口", "Protection gaps"),
    "h": ("心理支持", "Social and psychological"),
}

INPUT_COLUMNS = {
    "population": "worker / rural",
    "members": "household members (≥ 1)",
    "labour": "members able to work",
    "line_month": "reference line, yuan per person per month (incl. industry multiplier)",
    "dibao_month": "低保 line, yuan per person per month (urban for workers, rural ÷ 12)",
    "income_period": "household income over the period (trailing months)",
    "rigid_period": "rigid spending over the period (medical + school + care + work)",
    "medical_period": "medical out-of-pocket over the period",
    "school_period": "non-compulsory schooling costs over the period",
    "period_months": "months in the period (1–12)",
    "income_3m": "income of the last 3 months",
    "income_3m_last_year": "income of the same 3 months a year earlier (NaN when unknown)",
    "months_out": "longest run of months out of work / not back, among members",
    "wage_arrears": "wage arrears this month",
    "platform_uninsured": "a member in platform/flexible work without social insurance",
    "short_contract": "a member on agency dispatch or a contract under a year",
    "severe_illness": "a member with a severe disability (grade 1–2) or major illness",
    "is_relocated": "relocated household (易地扶贫搬迁)",
    "employed": "members in stable work this month",
    "uninsured": "a member without basic medical insurance",
    "on_dibao": "enrolled in 低保",
    "on_tekun": "enrolled in 特困供养",
    "psych_consent": "consent recorded for factor H",
    "counselling": "a member referred for counselling",
    "isolated": "a member isolated / without local support",
    "newgen_migrant": "a new-generation migrant (born ≥ 1980) without local support",
    "dropout": "a compulsory-school-age child out of school",
    "housing_unsafe": "housing unsafe",
    "water_unsafe": "drinking water unsafe",
    "event_cost_12m": "sudden-event costs and losses in the last 12 months",
    "assisted": "at least one assistance measure recorded",
}

# A bands, lower-inclusive and upper-exclusive: r < 1.0 → 30, [1.0, 1.2) → 20, …
A_BANDS = ((1.0, 30), (1.2, 20), (1.5, 12), (2.0, 6))


def _income_points(r: np.ndarray) -> np.ndarray:
    pts = np.zeros(len(r), dtype=np.int16)
    assigned = np.zeros(len(r), dtype=bool)
    for upper, points in A_BANDS:
        hit = ~assigned & (r < upper)
        pts[hit] = points
        assigned |= hit
    return pts


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num ÷ den, with x ÷ 0 = +inf for x > 0 and 0 ÷ 0 = 0 (no spending, no share)."""
    num = num.astype(float)
    den = den.astype(float)
    out = np.zeros_like(num)
    pos = den > 0
    out[pos] = num[pos] / den[pos]
    out[~pos & (num > 0)] = np.inf
    return out


def score_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Score every row of `df` (columns: INPUT_COLUMNS). Returns a frame on the same index
    with pts_a…pts_h, score, tier, triggers, reason_bits and the values the reasons quote."""
    missing = [c for c in INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"score inputs missing: {missing}")
    n = len(df)

    def col(name: str, dtype=float) -> np.ndarray:
        return df[name].to_numpy(dtype=dtype, na_value=np.nan if dtype is float else 0)

    def flag(name: str) -> np.ndarray:
        return df[name].fillna(False).to_numpy(dtype=bool)

    members = np.maximum(col("members"), 1.0)
    months = np.clip(col("period_months"), 1.0, 12.0)
    income = col("income_period")
    net_pc_month = (income - col("rigid_period")) / members / months
    # Rounded so that a ratio meant to be exactly 1.0, 1.2 … lands in its own band.
    r = np.round(net_pc_month / col("line_month"), 9)
    reasons = np.zeros(n, dtype=np.int64)

    # A income adequacy
    pts_a = _income_points(r)
    reasons |= np.where(pts_a > 0, Reason.A_INCOME, 0)

    # B income shock: last 3 months vs the same months a year earlier
    last_year = col("income_3m_last_year")
    known = np.isfinite(last_year) & (last_year > 0)
    drop = np.full(n, np.nan)
    drop[known] = 1.0 - col("income_3m")[known] / last_year[known]
    # Round away float noise so "exactly 30 %" lands in the 30 % band.
    drop_r = np.round(drop, 9)
    pts_b = np.where(drop_r >= 0.30, 15, np.where(drop_r >= 0.15, 8, 0)).astype(np.int16)
    reasons |= np.where(pts_b > 0, Reason.B_DROP, 0)

    # C job stability: the strongest applicable rule
    months_out = col("months_out", int)
    arrears = flag("wage_arrears")
    c_long = months_out >= 3
    c_short = (months_out >= 1) & ~c_long
    c_arrears = arrears & ~c_long & ~c_short
    c_platform = flag("platform_uninsured") & ~c_long & ~c_short & ~arrears
    c_contract = flag("short_contract") & ~c_long & ~c_short & ~arrears & ~flag("platform_uninsured")
    pts_c = np.select([c_long, c_short | c_arrears, c_platform, c_contract], [15, 10, 6, 3], 0).astype(np.int16)
    reasons |= np.where(c_long, Reason.C_OUT_LONG, 0)
    reasons |= np.where(c_short, Reason.C_OUT_SHORT, 0)
    reasons |= np.where(arrears & ~c_long, Reason.C_ARREARS, 0)
    reasons |= np.where(c_platform, Reason.C_PLATFORM, 0)
    reasons |= np.where(c_contract, Reason.C_SHORT_CONTRACT, 0)

    # D rigid-spending burden, shares of household income over the period
    medical_share = np.round(_safe_div(col("medical_period"), income), 9)
    school_share = np.round(_safe_div(col("school_period"), income), 9)
    d_med = np.where(medical_share >= 0.5, 15, np.where(medical_share >= 0.3, 10, 0))
    d_school = np.where(school_share >= 0.2, 6, 0)
    pts_d = np.minimum(d_med + d_school, 15).astype(np.int16)
    reasons |= np.where(d_med > 0, Reason.D_MEDICAL, 0)
    reasons |= np.where(d_school > 0, Reason.D_SCHOOL, 0)

    # E labour and dependants
    labour = col("labour", int)
    no_labour = labour <= 0
    dependency = np.where(no_labour, np.inf, (members - labour) / np.maximum(labour, 1))
    e_dep = ~no_labour & (dependency >= 2.0)
    e_ill = flag("severe_illness") & ~no_labour & ~e_dep
    pts_e = np.select([no_labour | e_dep, e_ill], [10, 5], 0).astype(np.int16)
    reasons |= np.where(no_labour, Reason.E_NO_LABOUR, 0)
    reasons |= np.where(e_dep, Reason.E_DEPENDENCY, 0)
    reasons |= np.where(e_ill, Reason.E_ILLNESS, 0)

    # F relocation: relocated household with nobody in stable work
    f_hit = flag("is_relocated") & (col("employed", int) <= 0)
    pts_f = np.where(f_hit, 5, 0).astype(np.int16)
    reasons |= np.where(f_hit, Reason.F_RELOCATED, 0)

    # G protection gaps
    uninsured = flag("uninsured")
    dibao_r = np.round(net_pc_month / col("dibao_month"), 9)
    dibao_gap = (dibao_r < 1.0) & ~flag("on_dibao") & ~uninsured
    pts_g = np.where(uninsured | dibao_gap, 5, 0).astype(np.int16)
    reasons |= np.where(uninsured, Reason.G_UNINSURED, 0)
    reasons |= np.where(dibao_gap, Reason.G_DIBAO_GAP, 0)

    # H social and psychological, only with recorded consent; capped at 5
    consent = flag("psych_consent")
    h_couns = consent & flag("counselling")
    h_iso = consent & flag("isolated")
    h_new = consent & flag("newgen_migrant")
    pts_h = np.minimum(np.where(h_couns, 5, 0) + np.where(h_iso, 3, 0) + np.where(h_new, 3, 0), 5).astype(np.int16)
    reasons |= np.where(h_couns, Reason.H_COUNSELLING, 0)
    reasons |= np.where(h_iso, Reason.H_ISOLATED, 0)
    reasons |= np.where(h_new, Reason.H_NEWGEN, 0)

    # hard triggers
    annual_income = income / months * 12.0
    event_share = np.round(_safe_div(col("event_cost_12m"), annual_income), 9)
    triggers = np.zeros(n, dtype=np.int64)
    triggers |= np.where(flag("dropout"), Trigger.DROPOUT, 0)
    triggers |= np.where(uninsured, Trigger.NO_MEDICAL_INSURANCE, 0)
    triggers |= np.where(flag("housing_unsafe"), Trigger.UNSAFE_HOUSING, 0)
    triggers |= np.where(flag("water_unsafe"), Trigger.UNSAFE_WATER, 0)
    triggers |= np.where(event_share >= 0.8, Trigger.SUDDEN_EVENT, 0)
    triggers |= np.where((r < 1.0) & ~flag("assisted"), Trigger.BELOW_LINE_NO_AID, 0)
    triggers |= np.where(no_labour & ~flag("on_dibao") & ~flag("on_tekun"), Trigger.NO_LABOUR_NO_COVER, 0)

    score = (pts_a + pts_b + pts_c + pts_d + pts_e + pts_f + pts_g + pts_h).astype(np.int16)
    tier = tiers(score, triggers, r)
    return pd.DataFrame(
        {
            "score": score,
            "tier": tier,
            "pts_a": pts_a, "pts_b": pts_b, "pts_c": pts_c, "pts_d": pts_d,
            "pts_e": pts_e, "pts_f": pts_f, "pts_g": pts_g, "pts_h": pts_h,
            "triggers": triggers,
            "reason_bits": reasons,
            "r": r,
            "income_drop": drop,
            "months_out": months_out.astype(np.int16),
            "medical_share": np.where(np.isfinite(medical_share), medical_share, np.nan),
            "school_share": np.where(np.isfinite(school_share), school_share, np.nan),
            "dependency": np.where(np.isfinite(dependency), dependency, np.nan),
            "event_share": np.where(np.isfinite(event_share), event_share, np.nan),
        },
        index=df.index,
    )


def tiers(score: np.ndarray, triggers: np.ndarray, r: np.ndarray) -> np.ndarray:
    """高 at ≥ 60 or any trigger; 中 at 35–59, and never below 中 when r < 1; else 低."""
    score = np.asarray(score)
    high = (score >= 60) | (np.asarray(triggers) != 0)
    mid = ~high & ((score >= 35) | (np.asarray(r, dtype=float) < 1.0))
    return np.where(high, "高", np.where(mid, "中", "低"))


# ---------------------------------------------------------------- reasons
REASON_SEP = {"zh": "；", "en": "; "}
_TRIGGER_TEXT = (
    (Trigger.DROPOUT, "硬性触发：义务教育阶段子女失学辍学", "Hard trigger: a school-age child has dropped out"),
    (Trigger.NO_MEDICAL_INSURANCE, "硬性触发：有成员未参加基本医疗保险", "Hard trigger: a member has no basic medical insurance"),
    (Trigger.UNSAFE_HOUSING, "硬性触发：住房安全无保障", "Hard trigger: housing is unsafe"),
    (Trigger.UNSAFE_WATER, "硬性触发：饮水安全无保障", "Hard trigger: drinking water is unsafe"),
    (Trigger.SUDDEN_EVENT, "硬性触发：突发事件支出达年收入的{pct}", "Hard trigger: a sudden event cost {pct} of annual income"),
    (Trigger.BELOW_LINE_NO_AID, "硬性触发：收入低于{line}且无帮扶记录", "Hard trigger: income below {line} and no assistance recorded"),
    (Trigger.NO_LABOUR_NO_COVER, "硬性触发：整户无劳动力且无兜底保障", "Hard trigger: nobody can work and no safety-net cover"),
)
REASON_COLUMNS = ("pts_a", "pts_b", "pts_c", "pts_d", "pts_e", "pts_f", "pts_g", "pts_h", "triggers", "reason_bits",
                  "r", "income_drop", "months_out", "medical_share", "school_share", "dependency", "event_share")


def _num(values: np.ndarray, fmt: str) -> np.ndarray:
    """Format floats (NaN → 0) as an object array of strings."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    return np.char.mod(fmt, v).astype(object)


def _pct_text(values: np.ndarray) -> np.ndarray:
    """Shares as "52%"; a share of a zero income is stored as NULL and reads ">100%"."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isnan(v), ">100%", _num(v * 100, "%.0f") + "%").astype(object)


def reason_lists(scored: pd.DataFrame, populations: pd.Series | np.ndarray, lang: str = "zh") -> list[list[str]]:
    """Reasons per row, most important first: hard triggers in a fixed order, then factors by
    points (ties A→H), each ending with its points, e.g. "人均收入为低保标准的0.90倍 (+30)"."""
    zh = lang == "zh"
    n = len(scored)
    worker = np.asarray(populations) == "worker"
    line = np.where(worker, "低保标准", "监测线") if zh else np.where(worker, "the dibao line", "the monitoring line")
    line = line.astype(object)
    trig = scored["triggers"].to_numpy(dtype=np.int64)
    bits = scored["reason_bits"].to_numpy(dtype=np.int64)
    pts = {f: scored[f"pts_{f}"].to_numpy(dtype=np.int64) for f in FACTORS}
    has = lambda flag: (bits & int(flag)) != 0  # noqa: E731
    empty = np.full(n, "", dtype=object)
    keys: list[np.ndarray] = []
    texts: list[np.ndarray] = []
    # names the loops below share: the hard triggers' flags and ranks first, then the factors' reasons and,
    # at the end, the sort order of each row's reasons
    flag: Trigger | Reason
    order: int | np.ndarray

    for order, (flag, text_zh, text_en) in enumerate(_TRIGGER_TEXT):
        hit = (trig & int(flag)) != 0
        template = text_zh if zh else text_en
        if "{pct}" in template:
            head, tail = template.split("{pct}")
            text = head + _pct_text(scored["event_share"].to_numpy()) + tail
        elif "{line}" in template:
            head, tail = template.split("{line}")
            text = head + line + tail
        else:
            text = np.full(n, template, dtype=object)
        keys.append(np.where(hit, -1000.0 + order, np.inf))
        texts.append(np.where(hit, text, empty))

    def add(factor: str, mask: np.ndarray, text: np.ndarray) -> None:
        points = pts[factor]
        keys.append(np.where(mask, -points * 10.0 + FACTORS.index(factor), np.inf))
        texts.append(np.where(mask, text + " (+" + points.astype(str).astype(object) + ")", empty))

    r = scored["r"].to_numpy(dtype=float)
    r_txt = _num(r, "%.2f")
    a_text = np.where(r < 0, "刚性支出超过家庭收入" if zh else "rigid spending exceeds household income",
                      ("人均收入为" + line + "的" + r_txt + "倍") if zh else ("income per person is " + r_txt + " × " + line))
    add("a", has(Reason.A_INCOME) & np.isfinite(r), a_text.astype(object))
    add("b", has(Reason.B_DROP) & np.isfinite(scored["income_drop"].to_numpy(dtype=float)),
        ("收入同比下降" if zh else "income down ") + _pct_text(scored["income_drop"].to_numpy())
        + ("" if zh else " year on year"))
    months = scored["months_out"].to_numpy(dtype=np.int64).astype(str).astype(object)
    out = has(Reason.C_OUT_LONG) | has(Reason.C_OUT_SHORT)
    c_text = np.where(out, ("失业或未返岗" + months + "个月") if zh else ("out of work for " + months + " months"),
             np.where(has(Reason.C_ARREARS), "存在欠薪" if zh else "wage arrears",
             np.where(has(Reason.C_PLATFORM), "平台/灵活就业未参加社会保险" if zh else "platform or flexible work without social insurance",
                      "劳务派遣或合同不足1年" if zh else "agency dispatch or a contract under a year")))
    add("c", out | has(Reason.C_ARREARS) | has(Reason.C_PLATFORM) | has(Reason.C_SHORT_CONTRACT), c_text.astype(object))
    med = has(Reason.D_MEDICAL)
    sch = has(Reason.D_SCHOOL)
    med_txt = (("医疗自付占收入" if zh else "medical costs ") + _pct_text(scored["medical_share"].to_numpy())
               + ("" if zh else " of income"))
    sch_txt = (("非义务教育支出占收入" if zh else "schooling ") + _pct_text(scored["school_share"].to_numpy())
               + ("" if zh else " of income"))
    d_text = np.where(med & sch, med_txt + ("，" if zh else ", ") + sch_txt, np.where(med, med_txt, sch_txt))
    add("d", med | sch, d_text.astype(object))
    dep = _num(scored["dependency"].to_numpy(), "%.1f")
    e_text = np.where(has(Reason.E_NO_LABOUR), "家庭无劳动力" if zh else "nobody in the household can work",
             np.where(has(Reason.E_DEPENDENCY), ("每名劳动力负担" + dep + "人") if zh else (dep + " dependants per worker"),
                      "有重度残疾或患大病成员" if zh else "a member with severe disability or major illness"))
    add("e", has(Reason.E_NO_LABOUR) | has(Reason.E_DEPENDENCY) | has(Reason.E_ILLNESS), e_text.astype(object))
    relocated = "搬迁户无人稳定就业" if zh else "relocated household with nobody in stable work"
    add("f", has(Reason.F_RELOCATED), np.full(n, relocated, dtype=object))
    g_text = np.where(has(Reason.G_UNINSURED), "有成员未参加基本医保" if zh else "a member without basic medical insurance",
                      "符合低保条件但未纳入" if zh else "eligible for dibao but not enrolled")
    add("g", has(Reason.G_UNINSURED) | has(Reason.G_DIBAO_GAP), g_text.astype(object))
    parts = [(Reason.H_COUNSELLING, "已转介心理疏导", "referred for counselling"),
             (Reason.H_ISOLATED, "缺乏社会支持", "socially isolated"),
             (Reason.H_NEWGEN, "新生代农民工无本地支持", "new-generation migrant without local support")]
    h_text = empty.copy()
    for flag, text_zh, text_en in parts:
        piece = text_zh if zh else text_en
        h_text = np.where(has(flag), np.where(h_text == "", piece, h_text + ("，" if zh else ", ") + piece), h_text)
    add("h", h_text != "", h_text)

    key_matrix = np.column_stack(keys)
    text_matrix = np.column_stack(texts)
    order = np.argsort(key_matrix, axis=1, kind="stable")
    ranked = np.take_along_axis(text_matrix, order, axis=1)
    return [[t for t in row if t] for row in ranked.tolist()]


def explain_frame(scored: pd.DataFrame, populations: pd.Series, lang: str = "zh") -> pd.Series:
    """Reasons joined with "；" ("; " in English) for each row of a score frame."""
    sep = REASON_SEP["zh" if lang == "zh" else "en"]
    return pd.Series([sep.join(r) for r in reason_lists(scored, np.asarray(populations), lang)],
                     index=scored.index, dtype=object)


def explain(record: dict | pd.Series, population: str, lang: str = "zh") -> list[str]:
    """Reasons for one stored risk_score row (population: W… categories are "worker")."""
    frame = pd.DataFrame([{c: record[c] for c in REASON_COLUMNS}])
    return reason_lists(frame, np.array([population]), lang)[0]


def score_one(**inputs: object) -> dict:
    """Score one household: keyword arguments are INPUT_COLUMNS (defaults are neutral).

    Returns the score fields plus `reasons` (Chinese) and `reasons_en`.
    """
    row = {**NEUTRAL_INPUTS, **inputs}
    unknown = set(inputs) - set(INPUT_COLUMNS)
    if unknown:
        raise KeyError(f"unknown score inputs: {sorted(unknown)}")
    frame = pd.DataFrame([row])
    scored_frame = score_frame(frame)
    scored = scored_frame.iloc[0].to_dict()
    population = np.array([str(row["population"])])
    scored["reasons"] = reason_lists(scored_frame, population, "zh")[0]
    scored["reasons_en"] = reason_lists(scored_frame, population, "en")[0]
    return scored


# A household that scores 0: comfortable income, stable work, covered.
NEUTRAL_INPUTS: dict[str, object] = {
    "population": "worker",
    "members": 3,
    "labour": 2,
    "line_month": 1000.0,
    "dibao_month": 1000.0,
    "income_period": 3 * 1000.0 * 12 * 3,  # r = 3
    "rigid_period": 0.0,
    "medical_period": 0.0,
    "school_period": 0.0,
    "period_months": 12,
    "income_3m": 27000.0,
    "income_3m_last_year": 27000.0,
    "months_out": 0,
    "wage_arrears": False,
    "platform_uninsured": False,
    "short_contract": False,
    "severe_illness": False,
    "is_relocated": False,
    "employed": 2,
    "uninsured": False,
    "on_dibao": False,
    "on_tekun": False,
    "psych_consent": False,
    "counselling": False,
    "isolated": False,
    "newgen_migrant": False,
    "dropout": False,
    "housing_unsafe": False,
    "water_unsafe": False,
    "event_cost_12m": 0.0,
    "assisted": True,
}


class Flag(IntFlag):
    """Household state stored with each score, summed by the roll-ups."""

    OPEN = 1  # file 在档 or 帮扶中 this month
    ASSISTED = 2  # at least one assistance measure recorded so far
    HAS_HELPER = 4  # a paired helper (结对帮扶) active this month
    NEWLY_HIGH = 8  # 高 this month, not 高 (or not scored) last month
    NEW_IDENT = 16  # identified this month
    ELIMINATED = 32  # risk eliminated / relieved this month
    RELAPSED = 64  # re-opened as a relapse this month
    MIGRANT = 128  # has a migrant-worker member
    NOT_RETURNED = 256  # migrant not back at work after the Spring Festival
    OUT_OF_WORK = 512  # a member out of work this month
    WAGE_ARREARS = 1024
    PLATFORM_UNINSURED = 2048  # platform/flexible worker without social insurance
    COUNSELLING = 4096  # new-generation migrant referred for counselling
    SCHOOL_RISK = 8192  # school-age child at risk (辍学 / 因学)
    LABOUR_NO_JOB = 16384  # has labour, nobody employed
    # Data-quality flags (DOMAIN §4), set only on household_current, as of its month.
    DQ_NO_ASSISTANCE = 32768  # no assistance one month after identification
    DQ_FAST_ELIMINATION = 65536  # eliminated in the month of identification or the next
    DQ_SLOW_IDENTIFICATION = 131072  # identification took more than 15 days


# Which roll-up column counts which flag.
FLAG_MEASURES = {
    "open_files": Flag.OPEN,
    "assisted": Flag.ASSISTED,
    "with_helper": Flag.HAS_HELPER,
    "newly_high": Flag.NEWLY_HIGH,
    "new_ident": Flag.NEW_IDENT,
    "eliminated": Flag.ELIMINATED,
    "relapsed": Flag.RELAPSED,
    "migrant_hh": Flag.MIGRANT,
    "not_returned": Flag.NOT_RETURNED,
    "out_of_work": Flag.OUT_OF_WORK,
    "wage_arrears": Flag.WAGE_ARREARS,
    "platform_uninsured": Flag.PLATFORM_UNINSURED,
    "counselling": Flag.COUNSELLING,
    "school_risk": Flag.SCHOOL_RISK,
    "labour_no_job": Flag.LABOUR_NO_JOB,
}

# r histogram bins for roll-ups (median estimates); the policy bands are unions of bins.
R_BIN_EDGES = (0.5, 0.8, 1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5, 3.0)


def r_bins(r: np.ndarray) -> np.ndarray:
    """Bin index 0–11 for each r (lower-inclusive edges); -1 where r is unknown."""
    r = np.asarray(r, dtype=float)
    out = np.searchsorted(np.asarray(R_BIN_EDGES), r, side="right")
    return np.where(np.isfinite(r), out, -1)


def median_from_bins(counts: np.ndarray) -> float | None:
    """Median r estimated from bin counts by linear interpolation inside its bin."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    if total <= 0:
        return None
    edges = np.concatenate([[0.0], R_BIN_EDGES, [4.0]])
    cum = np.cumsum(counts)
    i = int(np.searchsorted(cum, total / 2.0, side="left"))
    before = cum[i - 1] if i > 0 else 0.0
    frac = (total / 2.0 - before) / counts[i] if counts[i] else 0.0
    return float(edges[i] + frac * (edges[i + 1] - edges[i]))
