"""Offline geography files (data/geo) and the runtime loader safetynet.geo."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest

from safetynet import geo

LON, LAT = (73.0, 136.0), (3.0, 54.0)


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(geo.geo_dir() / f"china_{name}.csv", dtype=str).astype({"lon": float, "lat": float})


@pytest.fixture(scope="module")
def provinces() -> pd.DataFrame:
    return read_csv("provinces")


@pytest.fixture(scope="module")
def prefectures() -> pd.DataFrame:
    return read_csv("prefectures")


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return read_csv("counties")


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return geo.load_regions().set_index("adcode", drop=False)


def points(coords) -> Iterator[tuple[float, float]]:
    """All [lon, lat] positions of a nested GeoJSON coordinate array."""
    if isinstance(coords[0], (int, float)):
        yield coords[0], coords[1]
    else:
        for c in coords:
            yield from points(c)


# ------------------------------------------------------------------ CSV files
def test_county_csv_count_and_unique(counties: pd.DataFrame) -> None:
    assert 2800 <= len(counties) <= 3000
    assert counties["adcode"].is_unique


def test_csv_parents_exist(provinces, prefectures, counties) -> None:
    assert set(counties["city_adcode"]) <= set(prefectures["adcode"])
    assert set(counties["prov_adcode"]) <= set(provinces["adcode"])
    assert set(prefectures["prov_adcode"]) <= set(provinces["adcode"])
    assert (counties["adcode"].str[:2] == counties["prov_adcode"].str[:2]).all()


@pytest.mark.parametrize("name", ["provinces", "prefectures", "counties"])
def test_label_points_inside_china_bbox(name: str) -> None:
    df = read_csv(name)
    assert df["lon"].between(*LON).all() and df["lat"].between(*LAT).all()
    assert df["adcode"].str.fullmatch(r"\d{6}").all()


def test_province_short_names_and_macro_regions(provinces: pd.DataFrame) -> None:
    p = provinces.set_index("adcode")
    assert len(p) == 34
    assert tuple(p.loc["520000", ["name", "short_name", "macro_region"]]) == ("贵州省", "贵州", "西部")
    expected = {"450000": "广西", "150000": "内蒙古", "110000": "北京", "650000": "新疆", "230000": "黑龙江"}
    assert {k: p.loc[k, "short_name"] for k in expected} == expected
    counts = p["macro_region"].value_counts().to_dict()
    assert counts == {"西部": 12, "东部": 10, "中部": 6, "东北": 3, "港澳台": 3}


# ------------------------------------------------------------------ GeoJSON layers
@pytest.mark.parametrize("level", ["province", "prefecture", "county"])
def test_layer_features_have_adcodes_and_china_coords(level: str) -> None:
    feats = geo.load_layer(level)["features"]
    assert feats
    assert all(len(f["properties"]["adcode"]) == 6 and f["properties"]["adcode"].isdigit() for f in feats)
    lons, lats = zip(*(p for f in feats for p in points(f["geometry"]["coordinates"])), strict=True)
    assert LON[0] <= min(lons) and max(lons) <= LON[1]
    assert LAT[0] <= min(lats) and max(lats) <= LAT[1]


def test_province_layer_has_34_features() -> None:
    feats = geo.load_layer("province")["features"]
    assert len(feats) == 34
    assert {f["geometry"]["type"] for f in feats} <= {"Polygon", "MultiPolygon"}


def test_layer_matches_csv(counties: pd.DataFrame) -> None:
    feats = geo.load_layer("county")["features"]
    assert [f["properties"]["adcode"] for f in feats] == list(counties["adcode"])


def test_load_layer_within_province_and_prefecture() -> None:
    codes = [f["properties"]["adcode"] for f in geo.load_layer("county", within="520000")["features"]]
    assert codes and all(c.startswith("52") for c in codes)
    assert "522601" in codes  # 凯里市
    sub = [f["properties"]["adcode"] for f in geo.load_layer("county", within="520100")["features"]]
    assert sub and all(c.startswith("5201") for c in sub) and len(sub) < len(codes)
    chongqing = geo.load_layer("county", within="500000")["features"]
    assert chongqing and all(f["properties"]["adcode"].startswith("50") for f in chongqing)


def test_load_layer_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        geo.load_layer("city")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        geo.load_layer("county", within="52")


def test_layer_mutation_does_not_leak() -> None:
    first = geo.load_layer("province")
    first["features"][0]["properties"]["fill"] = [1, 2, 3]
    first["features"][0]["properties"]["name"] = "changed"
    first["features"].pop()
    second = geo.load_layer("province")
    assert len(second["features"]) == 34
    assert "fill" not in second["features"][0]["properties"]
    assert second["features"][0]["properties"]["name"] != "changed"


def test_world_backdrop_without_china() -> None:
    feats = geo.load_world_backdrop()["features"]
    assert len(feats) > 200
    assert all(f["properties"].get("iso_a2") != "CN" for f in feats)
    assert any(f["properties"].get("iso_a2") == "MN" for f in feats)  # neighbours are there


def test_boundary_lines_include_ten_dash_line() -> None:
    feats = geo.load_boundary_lines()["features"]
    assert feats and all(f["geometry"]["type"] == "MultiLineString" for f in feats)
    lats = [lat for f in feats for _, lat in points(f["geometry"]["coordinates"])]
    assert min(lats) < 5  # southern end of the ten-dash line near 曾母暗沙


# ------------------------------------------------------------------ load_regions
def test_regions_unique_and_typed(regions: pd.DataFrame) -> None:
    assert regions["adcode"].is_unique
    assert set(regions["level"]) == {1, 2, 3}
    assert (regions["level"] == 1).sum() == 34
    assert regions["adcode"].map(type).eq(str).all()
    assert list(regions.columns) == ["adcode", "name", "level", "parent_adcode", "prov_adcode",
                                     "pref_adcode", "macro_region", "lon", "lat"]


def test_regions_hierarchy_consistent(regions: pd.DataFrame) -> None:
    top = regions[regions["level"] == 1]
    assert top["parent_adcode"].isna().all() and top["pref_adcode"].isna().all()
    rest = regions[regions["level"] > 1]
    parents = regions.loc[rest["parent_adcode"]]
    assert (parents["level"].to_numpy() < rest["level"].to_numpy()).all()
    assert (parents["prov_adcode"].to_numpy() == rest["prov_adcode"].to_numpy()).all()
    assert (regions.loc[rest["prov_adcode"], "level"] == 1).all()
    assert (rest["adcode"].str[:2] == rest["prov_adcode"].str[:2]).all()
    # Level-2 rows hang under their province; a county's parent is its prefecture,
    # which is a province row only for municipalities / HK / TW.
    pref = regions[regions["level"] == 2]
    assert (pref["parent_adcode"] == pref["prov_adcode"]).all()
    county = regions[regions["level"] == 3]
    via_province = county[regions.loc[county["parent_adcode"], "level"].to_numpy() == 1]
    assert set(via_province["prov_adcode"].str[:2]) <= {"11", "12", "31", "50", "71", "81"}
    assert regions["macro_region"].notna().all()


def test_regions_spot_checks(regions: pd.DataFrame) -> None:
    assert tuple(regions.loc["440300", ["name", "level", "parent_adcode"]]) == ("深圳市", 2, "440000")
    assert tuple(regions.loc["522600", ["level", "prov_adcode"]]) == (2, "520000")
    assert regions.loc["522600", "name"].startswith("黔东南")
    assert tuple(regions.loc["522601", ["level", "parent_adcode", "pref_adcode"]]) == (3, "522600", "522600")
    assert tuple(regions.loc["110105", ["level", "parent_adcode", "macro_region"]]) == (3, "110000", "东部")
    # 省直辖 units and county-less cities are kept once, as prefectures.
    assert tuple(regions.loc["429004", ["level", "parent_adcode"]]) == (2, "420000")
    assert tuple(regions.loc["441900", ["level", "parent_adcode"]]) == (2, "440000")
    assert regions.loc["820000", "level"] == 1


def test_geo_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SAFETYNET_GEO_DIR", str(tmp_path))
    assert geo.geo_dir() == tmp_path
    with pytest.raises(FileNotFoundError):
        geo.load_layer("province")


# ------------------------------------------------------------------ demo exclusions
@pytest.mark.parametrize(
    ("adcode", "excluded"),
    [("710000", True), ("810101", True), ("820000", True), ("460300", True), ("460321", True),
     ("629700", True), ("629900", True), ("520000", False), ("460100", False), ("620200", False)],
)
def test_demo_exclusions(adcode: str, excluded: bool) -> None:
    assert geo.demo_exclusions(adcode) is excluded


def test_coarse_province_layer_for_the_whole_country():
    fine = geo.load_layer("province")
    coarse = geo.load_layer("province", coarse=True)
    assert [f["properties"]["adcode"] for f in coarse["features"]] == [f["properties"]["adcode"] for f in fine["features"]]
    assert len(json.dumps(coarse)) < len(json.dumps(fine)) / 2.5
    for feature in coarse["features"]:
        flat = json.dumps(feature["geometry"]["coordinates"])
        assert flat.count("[") > 4, feature["properties"]["name"]  # still a polygon, not a dot
    # other levels have no coarse file: the flag is ignored
    assert geo.load_layer("county", within="520000", coarse=True) == geo.load_layer("county", within="520000")
