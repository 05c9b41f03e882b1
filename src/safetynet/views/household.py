"""一户一档: a household's history as tables and figures (pure functions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from safetynet import i18n, privacy
from safetynet.domain import codes, lifecycle, risk
from safetynet.domain.lines import LineTable, reference_line_month
from safetynet.domain.months import month_of
from safetynet.i18n import fmt_month, t
from safetynet.views.figures import FONT, PALETTE

FACTOR_COLOURS = dict(zip(risk.FACTORS, ("#b71c1c", "#e65100", "#f9a825", "#6a1b9a", "#1565c0", "#00838f",
                                         "#2e7d32", "#6d4c41"), strict=True))


def category_of(household: pd.Series) -> str:
    worker_cat = household.get("worker_cat")
    return codes.category_code(household["population"], None if pd.isna(worker_cat) else int(worker_cat),
                               household.get("monitor_cat"))


def population_of(category: str) -> str:
    return "worker" if category.startswith("W") else "rural"


def income_against_line(months: pd.DataFrame, household: pd.Series, lines: LineTable, members: int) -> pd.DataFrame:
    """Per person per month: net income (income − rigid spending) against the reference line and 低保."""
    if months.empty:
        return pd.DataFrame(columns=["month", "net_pc", "line", "dibao"])
    income = months[["income_wage", "income_operating", "income_property", "income_transfer"]].sum(axis=1)
    rigid = months[["spend_medical", "spend_school", "spend_care", "spend_work"]].sum(axis=1)
    out = pd.DataFrame({"month": months["month"], "net_pc": (income - rigid) / max(members, 1)})
    multiplier = float(household.get("line_multiplier") or 1.0)
    adcode, population = household["adcode"], household["population"]
    line, dibao = [], []
    for month in out["month"]:
        year = int(month) // 100
        urban = lines.lookup(adcode, year, "urban_dibao_month")
        monitor = lines.lookup(adcode, year, "monitor_line_year")
        line.append(reference_line_month(population, urban, monitor, multiplier))
        dibao.append(urban if population == "worker" else lines.lookup(adcode, year, "rural_dibao_year") / 12)
    return out.assign(line=line, dibao=dibao)


def build_income_figure(frame: pd.DataFrame, population: str) -> go.Figure:
    fig = go.Figure()
    x = [fmt_month(int(m)) for m in frame["month"]]
    fig.add_trace(go.Bar(x=x, y=frame["net_pc"], name=t("人均月净收入"), marker_color="#1f5fa8", opacity=0.8))
    fig.add_trace(go.Scatter(x=x, y=frame["line"], name=t("低保标准") if population == "worker" else t("监测线"),
                             mode="lines", line={"color": "#c62828", "width": 3, "dash": "dash", "shape": "hv"}))
    if population == "rural":
        fig.add_trace(go.Scatter(x=x, y=frame["dibao"], name=t("农村低保"), mode="lines",
                                 line={"color": "#ef8f00", "width": 2, "dash": "dot", "shape": "hv"}))
    fig.update_layout(title={"text": t("人均月净收入与线"), "x": 0}, height=340, font={"family": FONT, "size": 13},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, barmode="overlay", hovermode="x unified",
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"})
    fig.update_yaxes(title=t("元/人/月"), rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


def build_score_figure(scores: pd.DataFrame) -> go.Figure:
    """Stacked factor points per month, with the 35 and 60 tier thresholds."""
    fig = go.Figure()
    x = [fmt_month(int(m)) for m in scores["month"]]
    for factor in risk.FACTORS:
        zh, en = risk.FACTOR_LABELS[factor]
        fig.add_trace(go.Bar(x=x, y=scores[f"pts_{factor}"], name=f"{factor.upper()} {zh if i18n.lang() == 'zh' else en}",
                             marker_color=FACTOR_COLOURS[factor]))
    high = scores["tier"] == "高"
    fig.add_trace(go.Scatter(x=[xi for xi, h in zip(x, high, strict=True) if h],
                             y=[max(s, 8) + 4 for s, h in zip(scores["score"], high, strict=True) if h],
                             mode="markers", name=t("高风险（含硬性触发）"),
                             marker={"symbol": "triangle-down", "size": 11, "color": codes.TIERS["高"][2]}))
    for level, colour in ((60, codes.TIERS["高"][2]), (35, codes.TIERS["中"][2])):
        fig.add_hline(y=level, line={"dash": "dot", "color": colour, "width": 1.5})
    fig.update_layout(barmode="stack", title={"text": t("风险评分构成"), "x": 0}, height=360,
                      font={"family": FONT, "size": 13}, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
    fig.update_yaxes(range=[0, 100], title=t("分"))
    fig.update_xaxes(type="category")
    return fig


def reason_history(scores: pd.DataFrame, category: str) -> pd.DataFrame:
    """Month, score, tier and the reasons re-rendered from each month's stored components."""
    population = population_of(category)
    lang = i18n.lang()
    reasons = risk.reason_lists(scores, np.full(len(scores), population), lang)
    sep = "；" if lang == "zh" else "; "
    return pd.DataFrame({
        "month": [fmt_month(int(m)) for m in scores["month"]],
        "score": scores["score"].to_numpy(),
        "tier": [i18n.label(codes.TIERS[x]) for x in scores["tier"]],
        "r": scores["r"].astype(float).round(2).to_numpy(),
        "reasons": [sep.join(r) for r in reasons],
    }).iloc[::-1].reset_index(drop=True)


def members_table(members: pd.DataFrame, as_of_year: int, unmasked: bool = False) -> pd.DataFrame:
    shown = members if unmasked else privacy.mask_frame(members, {"name": "name", "id_number": "id_number",
                                                                  "phone": "phone"})
    zh = i18n.lang() == "zh"

    def yes(flag: object) -> str:
        return ("是" if zh else "yes") if bool(flag) else ""

    insured = ["" if bool(m) else t("未参保") for m in members["med_insured"]]
    return pd.DataFrame({
        t("姓名"): shown["name"], t("身份证号"): shown["id_number"],
        t("与户主关系"): [i18n.label(codes.RELATIONS.get(r, (r, r))) for r in members["relation"]],
        t("性别"): [s if zh else codes.SEXES.get(s, s) for s in members["sex"]],
        t("年龄"): as_of_year - members["birth_year"],
        t("健康"): [h if zh else codes.HEALTH.get(h, h) for h in members["health"]],
        t("劳动能力"): [c if zh else codes.LABOUR_CAPACITY.get(c, c) for c in members["labour_capacity"]],
        t("在校"): members["school_stage"].fillna("").map(lambda s: s if zh or not s else codes.SCHOOL_STAGES.get(s, s)),
        t("就业形式"): [f if zh or not f else codes.EMPLOYMENT_FORMS.get(f, f) for f in members["employment_form"].fillna("")],
        t("行业"): members["industry_zh" if zh else "industry_en"].fillna(""),
        t("农民工"): [yes(m) for m in members["is_migrant"]],
        t("务工地"): members["work_name"].fillna(""),
        t("基本医保"): insured,
    })


def elimination_check(household: pd.Series, scores: pd.DataFrame, aid_count: int, labour: int) -> lifecycle.EliminationCheck:
    """DOMAIN §4 conditions as of the latest scored month."""
    if scores.empty:
        return lifecycle.elimination_check(household["identified_on"], month_of(dt.date.today()), aid_count, [], False,
                                           labour)
    latest = scores.iloc[-1]
    recent = [None if pd.isna(r) else float(r) for r in scores["r"].tail(lifecycle.STABLE_MONTHS)]
    identified = pd.Timestamp(household["identified_on"]).date()
    return lifecycle.elimination_check(identified, int(latest["month"]), aid_count, recent,
                                       int(latest["triggers"]) != 0, labour)


def events_table(events: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("日期"): events["occurred_on"].astype(str),
        t("风险类型"): [i18n.label(codes.RISK_TYPES.get(c, (c, c))) for c in events["risk_type"]],
        t("损失/支出（元）"): events["cost"].map(i18n.fmt_money),
        t("发现渠道"): events["source"].fillna(""),
        t("说明"): events["note"].fillna(""),
    })


def build_assistance_figure(aid: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    kinds = list(dict.fromkeys(aid["aid_type"]))
    for i, kind in enumerate(kinds):
        part = aid[aid["aid_type"] == kind]
        label = kind if i18n.lang() == "zh" else codes.ASSISTANCE_TYPES.get(kind, kind)
        sizes = np.clip(np.sqrt(part["amount"].fillna(0) + 1) / 3, 8, 30)
        fig.add_trace(go.Scatter(x=pd.to_datetime(part["delivered_on"]), y=[label] * len(part), mode="markers",
                                 name=label, marker={"size": sizes, "color": PALETTE[i % len(PALETTE)]},
                                 customdata=part["amount"],
                                 hovertemplate="%{x|%Y-%m-%d} %{y}: ¥%{customdata:,.0f}<extra></extra>"))
    fig.update_layout(title={"text": t("帮扶措施时间线"), "x": 0}, height=80 + 40 * max(len(kinds), 2),
                      font={"family": FONT, "size": 13}, showlegend=False, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
