"""The meeting screen's pure parts: which slides a link names, the carousel's rules, the cards and tables."""

from __future__ import annotations

import pandas as pd

from safetynet import i18n
from safetynet.views import meeting as view
from safetynet.views.sites import Tile


def test_parse_screens_keeps_the_order_and_names_the_unknown():
    assert view.parse_screens(None) == (list(view.SLIDES), [])
    assert view.parse_screens("sites,kpi,sites") == (["sites", "kpi"], [])
    assert view.parse_screens("kpi,bogus,map") == (["kpi", "map"], ["bogus"])
    assert view.parse_screens("bogus") == (list(view.SLIDES), ["bogus"])  # the error shows over every slide


def test_the_unknown_name_is_escaped_and_cut_short():
    i18n.set_lang("zh")
    message = view.unknown_slides_message(["[x](http://evil)" + "a" * 50])
    assert "\\[x\\]" in message and "a" * 31 not in message  # a link's brackets, escaped: no link


def test_a_tick_moves_on_only_after_the_slide_was_up_long_enough():
    start = view.Carousel(0, 100.0)
    assert start.tick(105.0, 20, 3) == start  # an extra rerun: stays
    assert start.tick(116.0, 20, 3).position == 1  # a tick just early after a click still moves on
    assert start.tick(121.0, 20, 3) == view.Carousel(1, 121.0)
    assert view.Carousel(2, 0.0).tick(50.0, 20, 3).position == 0  # round the end
    paused = view.Carousel(1, 0.0, paused=True)
    assert paused.tick(1000.0, 20, 3) == paused
    assert view.Carousel(0, 0.0).tick(1000.0, 20, 1).position == 0


def test_steps_and_pause():
    state = view.Carousel(0, 0.0)
    assert state.step(-1, 5.0, 4) == view.Carousel(3, 5.0)
    assert state.step(1, 5.0, 4).step(1, 6.0, 4) == view.Carousel(2, 6.0)
    paused = state.toggle_pause(7.0)
    assert paused.paused and paused.step(1, 8.0, 4) == view.Carousel(1, 8.0, True)
    assert not paused.toggle_pause(9.0).paused


def test_tile_cards_read_the_alarm_and_colour_the_change_by_meaning():
    i18n.set_lang("zh")
    tiles = [Tile("零就业家庭", ":red[**15**]", "-1", "inverse", "环比", caption="同比 +6"),
             Tile("就业率", "93.7%", "-0.1个百分点", "normal", "环比"),
             Tile("评分户数", "1,064", "-5", "off", "环比")]
    cards = view.tile_cards(tiles)
    assert cards[0].value == "15" and cards[0].alarm and cards[0].changes == (("环比 -1", "good"),
                                                                               ("同比 +6", "muted"))
    assert cards[1].changes == (("环比 -0.1个百分点", "bad"),)
    assert cards[2].changes == (("环比 -5", "muted"),) and not cards[2].alarm


def test_newly_by_region_lists_the_most_and_folds_the_rest_so_it_adds_up():
    i18n.set_lang("zh")
    children = pd.DataFrame({"adcode": [f"{i:02d}0000" for i in range(11, 25)], "name": [f"省{i}" for i in range(14)],
                             "newly_high": [0, 5, 1, 7, 2, 2, 3, 1, 1, 1, 4, 1, 1, 0],
                             "tier_high": [9, 50, 3, 70, 20, 21, 30, 10, 11, 12, 40, 13, 14, 2]})
    table = view.newly_by_region(children, 1, limit=3)
    assert list(table["省份"]) == ["省3", "省1", "省10", "其余9个地区"]
    assert list(table["本月新增高风险"]) == ["7", "5", "4", "13"]
    assert sum(int(v) for v in table["本月新增高风险"]) == children["newly_high"].sum()
    assert table["高风险户"].iloc[-1] == str(20 + 21 + 30 + 10 + 11 + 12 + 3 + 13 + 14)
