"""Every page at 1920×1080, 1366×768 and a 390×844 phone, in real Chromium (issue 12 §2): nothing is cut off.

On every page at every size: no KPI label, value or change is clipped (each element and every element inside
it shows its whole text: scrollWidth within clientWidth); no table header is clipped (the grid draws headers on
a canvas, so each column's title is measured in the grid's own header font and must fit the column's width less
its padding); no chart's axis labels overlap; the page itself does not scroll sideways. On the phone, the
watchlist is a card per household with its filters behind one tap, and the overview's KPIs stand two abreast.
A screenshot of each page and size is saved to screenshots/layouts/.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from safetynet.db import get_engine
from safetynet.ui.registry import PAGES
from tests.e2e.conftest import SCREENSHOTS, open_page

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}
PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1")
SHOTS = SCREENSHOTS / "layouts"

# What the page shows, measured in the browser. Headers: glide-data-grid draws a title from the cell's left
# padding and clips it at the right padding (the grid's theme: cellHorizontalPadding, headerFontStyle).
MEASURE = """() => {
  const clipped = el => [el, ...el.querySelectorAll('*')].some(
      e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible');
  const metrics = [];
  for (const part of ['stMetricLabel', 'stMetricValue', 'stMetricDelta']) {
    for (const el of document.querySelectorAll(`[data-testid="${part}"]`)) {
      metrics.push({part, text: el.innerText.trim(), clipped: clipped(el)});
    }
  }
  const headers = [];
  const pen = document.createElement('canvas').getContext('2d');
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!grid.checkVisibility()) continue;  // in a closed expander or another tab
    const canvas = grid.querySelector('canvas');
    const key = canvas && Object.keys(canvas).find(k => k.startsWith('__reactFiber'));
    let fiber = key && canvas[key], columns = null, theme = null;
    for (let i = 0; fiber && i < 100 && !(columns && theme); i++, fiber = fiber.return) {
      const props = fiber.memoizedProps || {};
      if (!columns && Array.isArray(props.columns) && props.columns.length && 'title' in props.columns[0]) {
        columns = props.columns;
      }
      if (!theme && props.theme && props.theme.headerFontStyle) theme = props.theme;
    }
    if (!columns || !theme) { headers.push({title: '(grid not read)', need: 1, width: 0}); continue; }
    pen.font = `${theme.headerFontStyle} ${theme.fontFamily}`;
    for (const c of columns) {
      if (!c.title) continue;
      const icon = c.icon ? theme.headerIconSize + theme.cellHorizontalPadding : 0;
      headers.push({title: c.title, width: c.width,
                    need: pen.measureText(c.title).width + 2 * theme.cellHorizontalPadding + icon});
    }
  }
  const overlaps = [];
  for (const layer of document.querySelectorAll('.js-plotly-plot .xaxislayer-above, .js-plotly-plot .yaxislayer-above')) {
    const boxes = [...layer.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => ({text: t.textContent, box: t.getBoundingClientRect()})).filter(b => b.box.width > 0);
    for (let i = 0; i + 1 < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].box, b = boxes[j].box;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
          overlaps.push(`${boxes[i].text} / ${boxes[j].text}`);
        }
      }
    }
  }
  const metricBoxes = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .map(m => m.getBoundingClientRect()).filter(b => b.width > 0).map(b => ({left: b.left, top: b.top, width: b.width}));
  return {metrics, headers, overlaps, metricBoxes, sideways: document.documentElement.scrollWidth - window.innerWidth};
}"""


def _household(app_db_url: str) -> int:
    with get_engine(app_db_url).connect() as conn:
        return int(conn.execute(text("SELECT MIN(hh_id) FROM household WHERE status IN ('在档', '帮扶中')")).scalar_one())


def _problems(path: str, seen: dict) -> list[str]:
    found = [f"{path}: KPI {m['part']} clipped: {m['text']!r}" for m in seen["metrics"] if m["clipped"]]
    found += [f"{path}: header {h['title']!r} needs {h['need']:.0f}px, column is {h['width']}px"
              for h in seen["headers"] if h["need"] > h["width"] + 0.5]
    found += [f"{path}: axis labels overlap: {o}" for o in seen["overlaps"]]
    if seen["sideways"] > 1:
        found.append(f"{path}: the page scrolls sideways by {seen['sideways']}px")
    return found


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_no_page_cuts_anything_off(app_server, app_db_url, chrome, size):
    width, height = VIEWPORTS[size]
    phone = size == "phone"
    context = chrome.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                 user_agent=PHONE_UA if phone else None, has_touch=phone)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    measured: dict[str, dict] = {}
    try:
        page = context.new_page()
        for spec in PAGES:
            path = spec.url_path
            query = {"household": f"?hh={_household(app_db_url)}", "meeting": "?screens=kpi&every=600"}.get(path, "")
            open_page(page, f"{app_server}/{path}{query}")  # signed in once: later pages resume the session
            assert page.locator('[data-testid="stException"]').count() == 0, path
            # the page scrolls inside stMain: the window is stretched to its height, so the whole page is
            # measured and pictured, then set back
            tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": width, "height": max(height, int(tall))})
            page.wait_for_timeout(800)  # plotly, deck.gl and the grids paint after the script run ends
            seen = page.evaluate(MEASURE)
            measured[path] = seen
            problems += _problems(path, seen)
            page.screenshot(path=str(SHOTS / f"{path}_{width}x{height}.png"), full_page=True)
            page.set_viewport_size({"width": width, "height": height})
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    # the checks saw something: KPIs on the overview, headers on the watchlist (desktop) or its cards (phone)
    assert any(m["part"] == "stMetricValue" and m["text"] for m in measured["overview"]["metrics"])
    assert measured["trends"]["overlaps"] == [] and measured["users"]["headers"]
    if phone:  # KPIs two abreast: each about half the screen, and at most two share a row
        boxes = measured["overview"]["metricBoxes"]
        rows: dict[int, int] = {}
        for b in boxes:
            rows[round(b["top"])] = rows.get(round(b["top"]), 0) + 1
        assert boxes and max(rows.values()) == 2, rows
        # a card shares its row, at half the width, unless it is the odd one of its group (then the full width)
        assert all(b["width"] < 0.55 * width or rows[round(b["top"])] == 1 for b in boxes), boxes
    else:
        assert measured["watchlist"]["headers"]


def test_the_phone_watchlist_is_cards_with_filters_behind_one_tap(app_server, chrome):
    context = chrome.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", user_agent=PHONE_UA,
                                 has_touch=True)
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/watchlist")
        cards = page.locator('[class*="st-key-wl_card_"]')
        assert cards.count() > 0 and page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count() == 0
        first = cards.first
        assert first.get_by_text("打开一户一档").count() == 1
        assert first.bounding_box()["width"] <= 390
        # the filters wait behind the 筛选条件 expander: the tier pills show only once it is opened
        expander = page.locator('[data-testid="stExpander"]', has_text="筛选条件")
        assert expander.count() == 1 and not page.get_by_text("风险因素").first.is_visible()
        expander.locator("summary").click()
        page.get_by_text("风险因素").first.wait_for(state="visible", timeout=15_000)
        # a card opens the household's file
        first.get_by_text("打开一户一档").click()
        page.wait_for_url("**/household?hh=*", timeout=30_000)
        page.wait_for_selector(".sn-page-done", state="attached", timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_the_desktop_watchlist_is_a_table(app_server, chrome):
    context = chrome.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/watchlist")
        assert page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count() == 1
        assert page.locator('[class*="st-key-wl_card_"]').count() == 0
        assert page.locator('[data-testid="stExpander"]', has_text="筛选条件").count() == 0
        # the same menu selector test_display_token.py expects absent for a wall screen is here for a person
        assert page.locator('[data-testid="stTopNav"], [data-testid="stSidebarNav"]').count() > 0
    finally:
        context.close()
