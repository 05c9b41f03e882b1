"""The standard map of China (docs/standard-map.md), checked on every map the screens draw.

Each page is rendered through AppTest and its pydeck specs are read as the browser gets them:
a national view carries a 南海诸岛 inset that is on screen, Taiwan and Hainan are drawn in
China's layer and never with foreign land, and China without data is coloured apart from
foreign land and from the lightest class.
"""

from __future__ import annotations

import json
import math

import pytest

from safetynet import geo
from safetynet.views import basemap, maps

CHINA_LAYERS = ("regions", "provinces")
NATIONAL_PAGES = [("pages/overview.py", {}), ("pages/map.py", {}), ("pages/sites.py", {}),
                  ("pages/migrants.py", {}), ("pages/meeting.py", {"screens": "map"})]
PROVINCES = {f["properties"]["adcode"] for f in geo.load_layer("province", coarse=True)["features"]}


def _decks(at) -> list[dict]:
    return [json.loads(element.proto.json) for element in at.get("deck_gl_json_chart")]


def _layer(spec: dict, layer_id: str) -> dict | None:
    return next((layer for layer in spec["layers"] if layer["id"] == layer_id), None)


def _china(spec: dict) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] in CHINA_LAYERS)


def _codes(layer: dict) -> set[str]:
    return {f["properties"]["adcode"] for f in layer["data"]["features"]}


def _visible_box(view: dict, width: int, height: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) a Web-Mercator view shows in width × height pixels."""
    pixels_per_radian = 512 * 2 ** view["zoom"] / (2 * math.pi)
    half_x, half_y = width / 2 / pixels_per_radian, height / 2 / pixels_per_radian
    y = basemap.mercator_y(view["latitude"])
    return (view["longitude"] - math.degrees(half_x), basemap.latitude_of(y - half_y),
            view["longitude"] + math.degrees(half_x), basemap.latitude_of(y + half_y))


def _size_fitted(view: dict) -> tuple[int, int]:
    """The smallest canvas (width, height) that shows the whole national box at the view's zoom."""
    west, south, east, north = basemap.NATIONAL_BOX
    pixels_per_radian = 512 * 2 ** view["zoom"] / (2 * math.pi)
    return (math.ceil(pixels_per_radian * math.radians(east - west)),
            math.ceil(pixels_per_radian * (basemap.mercator_y(north) - basemap.mercator_y(south))))


def _inside(inner, outer, slack: float = 1e-3) -> bool:  # coordinates are rounded to 4 decimals
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _lab(rgb) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(float(c)) for c in rgb[:3])
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _distance(a, b) -> float:
    """ΔE (CIE 1976): about 2 is just noticeable; the old no-data grey was 4.5 from foreign land."""
    return math.dist(_lab(a), _lab(b))


APART = 10  # ΔE: told apart at a glance, also on a washed-out projector


def _check_standard(spec: dict, national: bool) -> None:
    china = _china(spec)
    world = _layer(spec, "world")
    assert world is not None, "foreign land is drawn under China"
    foreign_names = {f["properties"]["name"] for f in world["data"]["features"]}
    assert not foreign_names & {"中国", "台湾", "中华人民共和国"}, "China or Taiwan drawn as foreign land"
    assert _layer(spec, "boundary-lines") is not None, "the 境界线 (ten-dash line) is on every China map"
    foreign = world["getFillColor"]
    for feature in china["data"]["features"]:
        fill = feature["properties"].get("fill") or china["getFillColor"]
        if isinstance(fill, list):
            assert _distance(fill, foreign) >= APART, f"{feature['properties']['name']} looks like foreign land"
    if not national:
        assert not any(layer["id"].startswith(basemap.INSET_LAYER_PREFIX) for layer in spec["layers"])
        return
    assert {"460000", "710000"} <= _codes(china), "Hainan and Taiwan are drawn with China's layer"
    frame = _layer(spec, f"{basemap.INSET_LAYER_PREFIX}frame")
    assert frame is not None, "a national view carries the 南海诸岛 inset"
    corners = frame["data"][0]["polygon"]
    frame_box = (min(p[0] for p in corners), min(p[1] for p in corners),
                 max(p[0] for p in corners), max(p[1] for p in corners))
    view = spec["initialViewState"]
    # on a canvas just big enough for the country at this zoom (the page fits the zoom to its map's size)
    assert _inside(frame_box, _visible_box(view, *_size_fitted(view))), "the inset is off screen"
    inset_regions = _layer(spec, f"{basemap.INSET_LAYER_PREFIX}regions")
    assert "460000" in _codes(inset_regions), "the inset shows Hainan's islands"
    lines = _layer(spec, f"{basemap.INSET_LAYER_PREFIX}boundary-lines")["data"]["features"]
    assert lines and all(_inside(maps.bbox([f]), frame_box) for f in lines), "the ten-dash line, inside the frame"
    assert all(_inside(maps.bbox([f]), frame_box) for f in inset_regions["data"]["features"])
    label = _layer(spec, f"{basemap.INSET_LAYER_PREFIX}label")
    assert label["data"][0]["text"] == "南海诸岛"


@pytest.mark.parametrize(("page", "query"), NATIONAL_PAGES, ids=[p for p, _ in NATIONAL_PAGES])
def test_every_national_map_is_the_standard_map(app, page, query):
    at = app(**query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    decks = _decks(at)
    assert decks, f"{page} draws a map"
    for spec in decks:
        national = PROVINCES <= _codes(_china(spec))
        assert national, f"{page}: the whole country at national scope"
        _check_standard(spec, national)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/sites.py"])
def test_a_province_map_has_no_inset_but_the_same_colours(app, page):
    at = app(prov="520000")
    at.switch_page(page).run()
    assert not at.exception, at.exception
    decks = _decks(at)
    assert decks, f"{page} draws a map"
    for spec in decks:
        assert all(code.startswith("52") for code in _codes(_china(spec)))
        _check_standard(spec, national=False)


def test_colours_of_land_are_apart():
    lowest = maps.SEQUENTIAL[0]
    assert _distance(basemap.NO_DATA, basemap.FOREIGN_FILL) >= APART
    assert _distance(basemap.NO_DATA, lowest) >= APART
    assert _distance(basemap.CHINA_FILL, basemap.FOREIGN_FILL) >= APART
    assert maps.colour_for(None, maps.class_breaks([1, 2, 3])) == basemap.NO_DATA


@pytest.mark.parametrize("width", [360, 700, 1400])
def test_the_national_view_shows_the_box_and_the_inset_at_its_width(width):
    view = basemap.national_view(width, 400)
    zoom = max(view.zoom, view.min_zoom)  # what deck.gl shows: it clamps the view to min_zoom (a phone's was cut)
    shown = _visible_box({"zoom": zoom, "latitude": view.latitude, "longitude": view.longitude}, width, 400)
    assert _inside(basemap.NATIONAL_BOX, shown)
    assert _inside(basemap.inset_frame(), shown)


def test_inset_keeps_its_shape():
    """Scaled the same across and up in Web Mercator: a square of the window stays a square."""
    west, south, east, north = basemap.INSET_WINDOW
    a, b = basemap.to_inset(west, south), basemap.to_inset(east, north)
    scale_x = (b[0] - a[0]) / (east - west)
    scale_y = (basemap.mercator_y(b[1]) - basemap.mercator_y(a[1])) / (basemap.mercator_y(north)
                                                                        - basemap.mercator_y(south))
    assert scale_x == pytest.approx(scale_y, rel=1e-3)
    assert a == pytest.approx(list(basemap.INSET_ANCHOR), abs=1e-3)


def test_clip_ring_cuts_to_the_box_and_drops_what_is_outside():
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    clipped = basemap.clip_ring(square, (5, 5, 20, 20))
    assert {tuple(p) for p in clipped} == {(5, 5), (10, 5), (10, 10), (5, 10)}
    assert clipped[0] == clipped[-1]
    assert basemap.clip_ring(square, (20, 20, 30, 30)) == []
    assert basemap.clip_ring(square, (-1, -1, 11, 11))[:-1] == [[float(x), float(y)] for x, y in square[:-1]]


def test_clip_line_keeps_the_pieces_inside():
    line = [[0, 5], [10, 5], [10, 15], [0, 15]]  # in, out across the top, back in
    pieces = basemap.clip_line(line, (2, 0, 8, 12))
    assert pieces == [[[2.0, 5.0], [8.0, 5.0]]]
    zigzag = [[0, 1], [3, 1], [3, 5], [6, 5], [6, 1], [9, 1]]
    pieces = basemap.clip_line(zigzag, (1, 0, 8, 3))
    assert pieces == [[[1.0, 1.0], [3.0, 1.0], [3.0, 3.0]], [[6.0, 3.0], [6.0, 1.0], [8.0, 1.0]]]
    assert basemap.clip_line([[20, 20], [30, 30]], (0, 0, 10, 10)) == []
