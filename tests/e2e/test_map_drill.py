"""地图 in a real browser: drill from the country to a province, a prefecture and a county by clicking
area names in the table (the path that works without WebGL picking)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, open_page

HEADER_PX, ROW_PX = 38, 35  # st.dataframe's header and row heights (views.maps.table_height uses the same)
NAME_X = 80  # pixels from the grid's left edge into the name column


def _region(page) -> str:
    """The region the map shows, from the URL (?prov= / ?pref= / ?county=; the deepest one set)."""
    query = dict(re.findall(r"[?&](prov|pref|county)=(\d{6})", page.url))
    return query.get("county") or query.get("pref") or query.get("prov") or "000000"


def _first_area_name(page) -> str:
    """The name in the table's first row, as the grid exposes it to assistive technology."""
    return page.locator('[data-testid="stDataFrame"] table[role="grid"] tbody tr').first \
        .locator("td").first.inner_text().strip()


def _click_first_name(page) -> None:
    """A click on the first row's name cell (the grid is a canvas: click where that cell is drawn)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the selection checkboxes are the first ~35 px; the name column follows
    page.mouse.click(box["x"] + NAME_X, box["y"] + HEADER_PX + ROW_PX / 2)


def test_drill_country_province_prefecture_county_by_clicking_names(app_server, chrome):
    page = chrome.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    open_page(page, f"{app_server}/map")
    rows = page.locator('[data-testid="stDataFrame"] table[role="grid"] tbody tr')
    for key, level_header in (("prov", "地市"), ("pref", "区县"), ("county", "区县")):
        before = page.url
        name = _first_area_name(page)
        _click_first_name(page)
        page.wait_for_function("u => window.location.href !== u", arg=before, timeout=30_000)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
        assert re.search(rf"[?&]{key}=\d{{6}}", page.url), page.url
        # the sidebar names the area clicked, and the table lists the level below it
        expect(page.locator(f'[data-testid="stSidebar"] input[role="combobox"][value="{name}"]')) \
            .to_have_count(1, timeout=30_000)
        page.locator('[data-testid="stDataFrame"] [role="columnheader"]', has_text=level_header).first \
            .wait_for(state="attached", timeout=30_000)
    expect(rows).to_have_count(1, timeout=30_000)  # a county has no level below: the table is the county
    assert _first_area_name(page) == name
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "map-drilled-to-county.png"), full_page=True)
    page.close()
