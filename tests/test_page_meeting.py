"""会议大屏 through AppTest on both backends: every slide in both themes, an unknown slide name is an error on
screen, the carousel starts at the first slide and goes back, pauses and goes on, and the room sees counts
that equal SQL over the raw rows, never a person unless the presenter asks for the masked list."""

from __future__ import annotations

import html
import re
from functools import partial

import pandas as pd
import pytest
from sqlalchemy import text

from safetynet.views import meeting as view
from tests.support import open_page

PAGE = "pages/meeting.py"
_open = partial(open_page, page=PAGE)
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _header(at) -> str:
    heading = re.search(r"<h1>(.*?)</h1>.*?<span class=\"sn-position\">(.*?)</span>", _html(at), re.S)
    assert heading, _html(at)[:500]
    return f"{heading.group(1)} {heading.group(2)}"


def _table(at) -> pd.DataFrame:
    """The slide's large-type table, as text."""
    found = re.search(r'<table class="sn-list">(.*?)</table>', _html(at), re.S)
    assert found, "the slide shows a table"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    cells = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]
    return pd.DataFrame(cells[1:], columns=cells[0])


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("slide", list(view.SLIDES))
def test_every_slide_renders_in_both_themes(app, slide, theme):
    at = _open(app, screens=slide, theme=theme)
    assert view.SLIDES[slide] in _header(at) and "1/1" in _header(at)
    assert not at.error and not at.warning
    rendered = _html(at) + "".join(str(e.proto) for e in at.get("deck_gl_json_chart"))
    assert not ID_NUMBER.search(rendered)


def test_an_unknown_slide_name_is_an_error_and_the_known_ones_still_run(app):
    at = _open(app, screens="kpi,bogus,sites")
    assert at.error and "bogus" in at.error[0].value and "sites" in at.error[0].value
    assert "核心指标" in _header(at) and "1/2" in _header(at)
    at = _open(app, screens="bogus")
    assert at.error and "bogus" in at.error[0].value
    assert "核心指标" in _header(at) and f"1/{len(view.SLIDES)}" in _header(at)  # every slide, under the error


def test_the_carousel_starts_at_the_first_slide_and_goes_back_pauses_and_goes_on(app):
    at = _open(app, screens="trend,kpi,work")
    assert "变化趋势" in _header(at) and "1/3" in _header(at)
    at.button(key="meeting_next").click().run()
    assert "核心指标" in _header(at) and "2/3" in _header(at)
    at.button(key="meeting_next").click().run()
    at.button(key="meeting_next").click().run()  # round the end
    assert "变化趋势" in _header(at) and "1/3" in _header(at)
    at.button(key="meeting_prev").click().run()
    assert "闭环工作排名" in _header(at) and "3/3" in _header(at)
    at.button(key="meeting_pause").click().run()
    assert "已暂停" in _html(at) and at.button(key="meeting_pause").label == "继续"
    at.button(key="meeting_next").click().run()  # stepping while paused stays paused
    assert "变化趋势" in _header(at) and "已暂停" in _html(at)
    at.button(key="meeting_pause").click().run()
    assert "已暂停" not in _html(at) and at.button(key="meeting_pause").label == "暂停"


def _newly_by_province(engine) -> dict[str, int]:
    """Households 高 this month that were not 高 the month before (or not scored), per province."""
    month = int(pd.read_sql(text("SELECT MAX(month) AS m FROM risk_score"), engine)["m"].iloc[0])
    before = month - 1 if month % 100 != 1 else month - 89
    frame = pd.read_sql(text(
        "SELECT g.prov_adcode AS prov, COUNT(*) AS n FROM risk_score s JOIN region g ON g.adcode = s.adcode "
        "WHERE s.month = :m AND s.tier = '高' AND NOT EXISTS (SELECT 1 FROM risk_score p WHERE p.hh_id = s.hh_id "
        "AND p.month = :before AND p.tier = '高') GROUP BY g.prov_adcode"), engine,
        params={"m": month, "before": before})
    return dict(zip(frame["prov"], frame["n"].astype(int), strict=True))


def test_newly_high_shows_counts_by_region_equal_to_sql_and_names_only_on_request(app, demo_db):
    at = _open(app, screens="newly")
    table = _table(at)
    assert list(table.columns) == ["省份", "本月新增高风险", "高风险户"]
    names = pd.read_sql(text("SELECT adcode, name FROM region WHERE level = 1"), demo_db)
    by_name = dict(zip(names["name"], names["adcode"], strict=True))
    expected = {by_name_code: n for by_name_code, n in _newly_by_province(demo_db).items() if n}
    shown = {by_name[r["省份"]]: int(r["本月新增高风险"].replace(",", "")) for _, r in table.iterrows()
             if r["省份"] in by_name}
    folded = [r for _, r in table.iterrows() if r["省份"] not in by_name]
    assert all(shown[code] == expected[code] for code in shown)
    rest = sum(int(r["本月新增高风险"].replace(",", "")) for r in folded)
    assert sum(shown.values()) + rest == sum(expected.values())
    assert "户主" not in table.columns and "*" not in "".join(table.iloc[:, 0])  # no masked names
    at.toggle(key="meeting_names").set_value(True).run()
    listed = _table(at)
    assert "户主" in listed.columns and all("*" in name for name in listed["户主"])
    assert not ID_NUMBER.search(_html(at))


def test_the_migrant_slide_shows_the_migrant_screens_numbers(app):
    slide = _open(app, screens="migrants")
    values = re.findall(r'<div class="value[^"]*">(.*?)</div>', _html(slide))
    screen = app()
    screen.switch_page("pages/migrants.py").run()
    assert values and values == [m.value for m in screen.metric][:len(values)]


@pytest.mark.parametrize("slide", list(view.SLIDES))
def test_every_slide_in_english_has_no_chinese_words_of_ours(app, slide):
    at = _open(app, screens=slide, lang="en")
    rendered = re.sub(r"<style.*?</style>", "", _html(at), flags=re.S)
    ours = re.sub(r"<td>.*?</td>", "", rendered, flags=re.S)  # place, site and industry names stay as they are
    ours = re.sub(r"全国|[\u4e00-\u9fff]+(省|市|区|县|州|盟|旗)", "", ours)
    assert not re.search(r"[\u4e00-\u9fff]", ours), re.findall(r"[^<>]{0,30}[\u4e00-\u9fff]+[^<>]{0,30}", ours)[:5]


def test_the_site_slide_shows_the_sites_screens_numbers(app):
    slide = _open(app, screens="sites")
    cards = re.findall(r'<div class="label">(.*?)</div><div class="value[^"]*">(.*?)</div>', _html(slide))
    screen = app()
    screen.switch_page("pages/sites.py").run()
    tiles = {m.label: re.sub(r"^:red\[\*\*(.*)\*\*\]$", r"\1", m.value) for m in screen.metric}
    assert cards and all(tiles[html.unescape(label)] == html.unescape(value) for label, value in cards)


def test_the_industry_slide_shows_the_industries_screens_numbers(app):
    rows = _table(_open(app, screens="industries"))
    screen = app()
    screen.switch_page("pages/industries.py").run()
    page = screen.dataframe[0].value.set_index("industry")
    assert len(rows) and all(int(r["评分户数"].replace(",", "")) == int(page.at[r["行业"], "households"])
                             for _, r in rows.iterrows())
    shares = [float(v.rstrip("%")) for v in rows["高风险户占比"]]
    assert shares == sorted(shares, reverse=True)  # the highest share first
