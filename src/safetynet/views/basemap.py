"""The standard map of China that every map of the product is drawn on (pure: no Streamlit).

A map of China shown in China must follow the standard map (标准地图, 自然资源部):
the whole territory — Taiwan, Hainan, the South China Sea islands and the
ten-dash line — drawn as China and clearly apart from foreign land, and a
national view that does not reach down to the Spratlys carries a 南海诸岛
inset. docs/standard-map.md lists the rules and the test that checks each one.

Here: the colours of land (China / foreign / China without data), the layers
under and over a map (neighbours, the 境界线), the national view, and the
inset, which is the same data clipped to the South China Sea and drawn,
undistorted and smaller, in the sea south-east of the mainland.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import lru_cache

import pydeck as pdk

from safetynet import geo
from safetynet.i18n import t

# Foreign land is a flat grey; China without data a blue-grey that is neither foreign land nor the
# lightest class of any palette (all warm). Kept far apart: tests/test_standard_map.py measures it.
FOREIGN_FILL = (222, 222, 222)
FOREIGN_LINE = (190, 190, 190)
CHINA_FILL = (255, 250, 238)  # China's land on maps that colour no measure (sites, migrant flows)
CHINA_LINE = (150, 150, 150)
NO_DATA = (170, 186, 206)
BOUNDARY_LINE = (90, 90, 90)
SEA = (255, 255, 255)

# The mainland, Hainan and Taiwan; the Spratlys are south of it and go into the inset.
NATIONAL_BOX = (73.4, 15.6, 138.0, 53.6)
# What the inset shows: the South China Sea with all its islands and the ten-dash line.
INSET_WINDOW = (106.0, 2.8, 123.0, 24.8)
# Where it is drawn: lower-left corner (lon, lat) and width in degrees of longitude, in the sea east of
# Taiwan inside NATIONAL_BOX (over the Ryukyus, as on the printed standard map); its height follows from the window's shape (no distortion).
INSET_ANCHOR = (124.7, 15.8)
INSET_WIDTH = 13.0
INSET_LABEL = "南海诸岛"
INSET_LAYER_PREFIX = "inset-"
# Neighbours farther than this window (lon/lat) add weight to every deck but are never on screen.
BACKDROP_WINDOW = (60.0, -10.0, 150.0, 60.0)
# The sea drawn under a map: wider than any view the maps open with (a 1920 px national view spans ~150°).
SEA_WINDOW = (0.0, -50.0, 179.9, 80.0)


# ---------------------------------------------------------------- geometry
def positions(coords) -> Iterator[tuple[float, float]]:
    if coords and isinstance(coords[0], (int, float)):
        yield float(coords[0]), float(coords[1])
        return
    for part in coords:
        yield from positions(part)


def bbox(features: list[dict]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of GeoJSON features; None without geometry."""
    lons, lats = [], []
    for feature in features:
        geometry = feature.get("geometry") or {}
        for lon, lat in positions(geometry.get("coordinates") or []):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def latitude_of(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_view(box: tuple[float, float, float, float], width: int, height: int,
             padding: float = 0.06) -> pdk.ViewState:
    """The view that shows `box` whole in a width × height pixel map (Web Mercator, 512 px tiles)."""
    west, south, east, north = box
    x_span = max(math.radians(east - west), 1e-4)
    y_span = max(mercator_y(north) - mercator_y(south), 1e-4)
    usable = 1 - 2 * padding
    zoom = min(math.log2(width * usable * 2 * math.pi / (512 * x_span)),
               math.log2(height * usable * 2 * math.pi / (512 * y_span)), 11.0)
    lat = latitude_of((mercator_y(north) + mercator_y(south)) / 2)
    zoom = round(zoom, 2)
    # min_zoom clamps the view itself: at a fixed 2, a phone's 360 px (zoom 1.9 for the country) was shown
    # zoomed in, cutting off the east coast and the 南海诸岛 inset
    return pdk.ViewState(longitude=(west + east) / 2, latitude=lat, zoom=zoom, min_zoom=min(2.0, zoom), max_zoom=12)


def national_view(width: int, height: int) -> pdk.ViewState:
    """The whole country (the inset carries the South China Sea) in a map of about width × height pixels."""
    return fit_view(NATIONAL_BOX, width, height, padding=0.03)


Point = tuple[float, float]


def clip_ring(ring: list, box: tuple[float, float, float, float]) -> list[list[float]]:
    """A polygon ring cut to `box` (Sutherland–Hodgman; a rectangle is convex, so this is exact).

    An empty list when nothing of the ring is inside. The ring comes back closed.
    """
    west, south, east, north = box
    edges: tuple[tuple[Callable[[Point], bool], Callable[[Point, Point], Point]], ...] = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    points: list[Point] = [(float(p[0]), float(p[1])) for p in ring]
    for inside, cross in edges:
        if not points:
            break
        kept: list[Point] = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    kept.append(cross(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(cross(previous, current))
        points = kept
    if len(points) < 3:
        return []
    if points[0] != points[-1]:
        points.append(points[0])
    return [list(p) for p in points]


def clip_line(line: list, box: tuple[float, float, float, float]) -> list[list[list[float]]]:
    """The pieces of a polyline inside `box` (each segment cut by Liang–Barsky)."""
    west, south, east, north = box
    pieces: list[list[list[float]]] = []
    current: list[list[float]] = []
    for a, b in zip(line, line[1:], strict=False):  # consecutive points
        (x0, y0), (x1, y1) = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
        dx, dy = x1 - x0, y1 - y0
        low, high = 0.0, 1.0
        for p, q in ((-dx, x0 - west), (dx, east - x0), (-dy, y0 - south), (dy, north - y0)):
            if p == 0:
                if q < 0:
                    low, high = 1.0, 0.0
                continue
            r = q / p
            if p < 0:
                low = max(low, r)
            else:
                high = min(high, r)
        if low > high:
            if current:
                pieces.append(current)
                current = []
            continue
        start = [x0 + low * dx, y0 + low * dy]
        end = [x0 + high * dx, y0 + high * dy]
        if not current or current[-1] != start:
            if current:
                pieces.append(current)
            current = [start]
        current.append(end)
        if high < 1.0:  # leaves the box here
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return [piece for piece in pieces if len(piece) >= 2]


def _at_x(a: Point, b: Point, x: float) -> Point:
    return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


def _at_y(a: Point, b: Point, y: float) -> Point:
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y


# ---------------------------------------------------------------- the inset
def inset_frame() -> tuple[float, float, float, float]:
    """(west, south, east, north) of the inset on the national map, in lon/lat."""
    west, south = INSET_ANCHOR
    w_west, w_south, w_east, w_north = INSET_WINDOW
    scale = INSET_WIDTH / (w_east - w_west)
    north = latitude_of(mercator_y(south) + scale * (mercator_y(w_north) - mercator_y(w_south)))
    return west, south, west + INSET_WIDTH, north


def to_inset(lon: float, lat: float) -> list[float]:
    """Where a point of INSET_WINDOW is drawn on the national map: scaled the same way across and up in
    Web Mercator, so the islands keep their shape."""
    w_west, w_south, w_east, _ = INSET_WINDOW
    west, south = INSET_ANCHOR
    scale = INSET_WIDTH / (w_east - w_west)
    y = mercator_y(south) + scale * (mercator_y(lat) - mercator_y(w_south))
    return [round(west + scale * (lon - w_west), 4), round(latitude_of(y), 4)]


def _inset_geometry(geometry: dict) -> dict | None:
    """A GeoJSON geometry clipped to INSET_WINDOW and moved into the inset; None when nothing is left."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind in ("Polygon", "MultiPolygon"):
        polygons = [coords] if kind == "Polygon" else coords
        out = []
        for polygon in polygons:
            rings = [clip_ring(ring, INSET_WINDOW) for ring in polygon]
            if rings and rings[0]:
                out.append([[to_inset(*p) for p in ring] for ring in rings if ring])
        return {"type": "MultiPolygon", "coordinates": out} if out else None
    if kind in ("LineString", "MultiLineString"):
        lines = [coords] if kind == "LineString" else coords
        pieces = [piece for line in lines for piece in clip_line(line, INSET_WINDOW)]
        if not pieces:
            return None
        return {"type": "MultiLineString", "coordinates": [[to_inset(*p) for p in piece] for piece in pieces]}
    return None


def inset_collection(collection: dict) -> dict:
    """The features of `collection` that reach into the South China Sea, clipped and moved into the inset
    (their properties, such as a fill colour, kept)."""
    features = []
    for feature in collection["features"]:
        box = bbox([feature])
        if box is None or box[2] < INSET_WINDOW[0] or box[0] > INSET_WINDOW[2] \
                or box[3] < INSET_WINDOW[1] or box[1] > INSET_WINDOW[3]:
            continue
        geometry = _inset_geometry(feature["geometry"])
        if geometry is not None:
            features.append({"type": "Feature", "properties": dict(feature["properties"]), "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def _inset_backdrop() -> dict:
    return inset_collection(world_backdrop())


@lru_cache(maxsize=1)
def _inset_lines() -> dict:
    return inset_collection(geo.load_boundary_lines())


def south_sea_inset(china: dict, fill: str | list[int] = "properties.fill",
                    line: tuple[int, int, int] = (255, 255, 255)) -> list[pdk.Layer]:
    """The 南海诸岛 inset: a framed box of sea with the neighbours, China's areas of `china` (coloured by
    `fill`, as on the main map) and the ten-dash line, labelled. Drawn last, over the main map."""
    west, south, east, north = inset_frame()
    frame = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    label_at = [east - 0.25, south + 0.35]
    label = t(INSET_LABEL)
    return [
        pdk.Layer("PolygonLayer", [{"polygon": frame}], id=f"{INSET_LAYER_PREFIX}frame", get_polygon="polygon",
                  filled=True, stroked=True, get_fill_color=[*SEA, 255], get_line_color=[*BOUNDARY_LINE],
                  line_width_min_pixels=1.5),
        pdk.Layer("GeoJsonLayer", _inset_backdrop(), id=f"{INSET_LAYER_PREFIX}world", filled=True, stroked=True,
                  get_fill_color=[*FOREIGN_FILL], get_line_color=[*FOREIGN_LINE], line_width_min_pixels=0.5),
        pdk.Layer("GeoJsonLayer", inset_collection(china), id=f"{INSET_LAYER_PREFIX}regions", filled=True,
                  stroked=True, get_fill_color=fill, get_line_color=[*line], line_width_min_pixels=0.5),
        pdk.Layer("GeoJsonLayer", _inset_lines(), id=f"{INSET_LAYER_PREFIX}boundary-lines", filled=False,
                  stroked=True, get_line_color=[*BOUNDARY_LINE], line_width_min_pixels=1.2),
        pdk.Layer("TextLayer", [{"text": label, "position": label_at}], id=f"{INSET_LAYER_PREFIX}label",
                  get_position="position", get_text="text", get_size=16, get_color=[40, 40, 40],
                  get_text_anchor='"end"', get_alignment_baseline='"bottom"', character_set=f'"{"".join(sorted(set(label)))}"',
                  # quoted: pydeck passes a quoted string on as text, anything else as an expression
                  font_family='"\'Noto Sans CJK SC\', \'Microsoft YaHei\', \'PingFang SC\', sans-serif"'),
    ]


# ---------------------------------------------------------------- layers under and over every map
@lru_cache(maxsize=4)
def _nearby_countries(window: tuple[float, float, float, float]) -> frozenset[str]:
    """Names of the backdrop countries whose bounding box meets `window`."""
    west, south, east, north = window
    keep = set()
    for feature in geo.load_world_backdrop()["features"]:
        geometry = feature.get("geometry") or {}
        parts = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            parts = [parts]
        # part by part: a country's overall box (USA, across the antimeridian) can span the globe
        for part in parts:
            box = bbox([{"geometry": {"coordinates": part}}])
            if box and box[0] <= east and box[2] >= west and box[1] <= north and box[3] >= south:
                keep.add(feature["properties"]["name"])
                break
    return frozenset(keep)


def world_backdrop(window: tuple[float, float, float, float] = BACKDROP_WINDOW) -> dict:
    """China's neighbours only: far-away countries are never on screen, so they stay out of the deck."""
    world = geo.load_world_backdrop()
    keep = _nearby_countries(window)
    world["features"] = [f for f in world["features"] if f["properties"]["name"] in keep]
    return world


def sea_layer() -> pdk.Layer:
    """The sea, under everything: the map reads the same on a dark page (the meeting screen) as on a light one,
    and the inset's sea matches the main map's."""
    west, south, east, north = SEA_WINDOW
    box = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return pdk.Layer("PolygonLayer", [{"polygon": box}], id="sea", get_polygon="polygon", filled=True,
                     stroked=False, get_fill_color=[*SEA, 255])


def foreign_layer() -> pdk.Layer:
    """Foreign land, under China's areas."""
    return pdk.Layer("GeoJsonLayer", world_backdrop(), id="world", filled=True, stroked=True,
                     get_fill_color=[*FOREIGN_FILL], get_line_color=[*FOREIGN_LINE], line_width_min_pixels=0.5)


def boundary_layer() -> pdk.Layer:
    """The 境界线 (ten-dash line, Hong Kong and Macau sea lines), over China's areas."""
    return pdk.Layer("GeoJsonLayer", geo.load_boundary_lines(), id="boundary-lines", filled=False, stroked=True,
                     get_line_color=[*BOUNDARY_LINE], line_width_min_pixels=1.2)
