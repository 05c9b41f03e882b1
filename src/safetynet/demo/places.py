"""Where demo households live: relocation sites in the programme's west and
centre, worker files in industrial cities, and the unions, employers and
helpers around them — all on real counties from `data/geo`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from safetynet import geo
from safetynet.domain import codes

# Provinces of the relocation programme (易地扶贫搬迁), weighted roughly by people moved.
RURAL_PROVINCES = {
    "52": 0.17, "53": 0.13, "51": 0.12, "45": 0.09, "62": 0.08, "43": 0.07, "42": 0.06,
    "61": 0.07, "50": 0.04, "41": 0.04, "36": 0.03, "64": 0.03, "63": 0.02, "14": 0.02,
    "65": 0.02, "15": 0.01,
}
# Industrial cities for worker files (prefecture adcodes), weighted by manufacturing and
# service employment; east and centre dominate.
WORKER_CITIES = {
    "441900": 0.07, "440300": 0.07, "440100": 0.06, "440600": 0.04, "320500": 0.06, "320200": 0.03,
    "330200": 0.03, "330100": 0.04, "330300": 0.02, "350500": 0.03, "350200": 0.02, "370200": 0.03,
    "370100": 0.02, "410100": 0.04, "420100": 0.04, "430100": 0.03, "340100": 0.03, "510100": 0.04,
    "500000": 0.04, "610100": 0.03, "120000": 0.03, "310000": 0.04, "110000": 0.03, "210100": 0.02,
    "230100": 0.02, "220100": 0.02, "360100": 0.02, "530100": 0.02, "450100": 0.02, "520100": 0.02,
}
SITE_WORDS = ("幸福", "阳光", "新市民", "和谐", "同心", "锦绣", "振兴", "安居", "易居", "康居", "感恩", "希望")
SITE_SUFFIX = ("社区", "安置区", "小区", "新村")
FIRM_WORDS = ("宏达", "鑫源", "华盛", "恒通", "永兴", "金辉", "瑞丰", "中兴", "远航", "鼎盛", "佳美", "东方",
              "新星", "力通", "顺发", "天成", "宏远", "汇丰", "凯达", "盛世")
FIRM_SUFFIX = {"C": "制造有限公司", "E": "建筑工程有限公司", "F": "商贸有限公司", "G": "物流有限公司",
               "H": "餐饮管理有限公司", "O": "家政服务有限公司", "GP": "配送服务站", "Z": "服务有限公司",
               "A": "农业专业合作社"}


@dataclass
class Places:
    regions: pd.DataFrame  # all regions (adcode, name, level, pref_adcode, prov_adcode, lon, lat, macro_region)
    rural_counties: pd.DataFrame  # candidate counties with weights
    worker_counties: pd.DataFrame
    sites: pd.DataFrame
    orgs: pd.DataFrame
    employers: pd.DataFrame
    helpers: pd.DataFrame


def _leaf_units(regions: pd.DataFrame) -> pd.DataFrame:
    """Regions people live in: counties, plus prefecture-level units without counties (东莞 …)."""
    regions = regions.loc[~regions["adcode"].map(geo.demo_exclusions)]
    has_child = set(regions["parent_adcode"].dropna())
    leaf = regions.loc[(regions["level"] == 3) | ((regions["level"] == 2) & ~regions["adcode"].isin(has_child))]
    return leaf


def rural_counties(regions: pd.DataFrame) -> pd.DataFrame:
    leaf = _leaf_units(regions)
    leaf = leaf.loc[leaf["adcode"].str[:2].isin(RURAL_PROVINCES)]
    # relocation sites are in counties (县), not city districts (区)
    leaf = leaf.loc[leaf["name"].str.endswith(("县", "旗")) | leaf["name"].str.endswith("市")]
    per_prov = leaf.groupby(leaf["adcode"].str[:2])["adcode"].transform("count")
    weight = leaf["adcode"].str[:2].map(RURAL_PROVINCES) / per_prov
    return leaf.assign(weight=weight / weight.sum())


def worker_counties(regions: pd.DataFrame) -> pd.DataFrame:
    leaf = _leaf_units(regions)
    city = np.where(leaf["adcode"].isin(WORKER_CITIES), leaf["adcode"], leaf["pref_adcode"])
    leaf = leaf.assign(city=city)
    leaf = leaf.loc[leaf["city"].isin(WORKER_CITIES)]
    per_city = leaf.groupby("city")["adcode"].transform("count")
    # urban districts (区) of a city carry most of its workers
    district = np.where(leaf["name"].str.endswith("区"), 3.0, 1.0)
    weight = leaf["city"].map(WORKER_CITIES) / per_city * district
    weight = weight / leaf.assign(w=weight).groupby("city")["w"].transform("sum") * leaf["city"].map(WORKER_CITIES)
    return leaf.assign(weight=weight / weight.sum())


def build_sites(rng: np.random.Generator, counties: pd.DataFrame, n_sites: int, first_id: int = 1) -> pd.DataFrame:
    chosen = counties.sample(n=n_sites, replace=True, weights="weight",
                             random_state=int(rng.integers(2**31)))
    site_type = rng.choice(list(codes.SITE_TYPES), size=n_sites, p=[0.55, 0.30, 0.15])
    households = np.where(site_type == "城镇", rng.integers(400, 3000, n_sites),
                          np.where(site_type == "集镇", rng.integers(150, 900, n_sites), rng.integers(50, 300, n_sites)))
    people = (households * rng.uniform(3.6, 4.4, n_sites)).astype(int)
    names = [f"{cname.removesuffix('县').removesuffix('自治')[:4]}{rng.choice(SITE_WORDS)}{rng.choice(SITE_SUFFIX)}"
             for cname in chosen["name"]]
    names = _unique(names)
    return pd.DataFrame({
        "site_id": np.arange(first_id, first_id + n_sites),
        "name": names,
        "adcode": chosen["adcode"].to_numpy(),
        "lon": chosen["lon"].to_numpy() + rng.normal(0, 0.04, n_sites),
        "lat": chosen["lat"].to_numpy() + rng.normal(0, 0.03, n_sites),
        "site_type": site_type,
        "households_relocated": households,
        "people_relocated": people,
        "workshop_jobs": (households * rng.uniform(0.02, 0.12, n_sites)).astype(int),
        "has_service_station": rng.random(n_sites) < 0.7,
        "opened_year": rng.integers(2017, 2021, n_sites),
    })


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{name}{k + 1}期")
    return out


def build_employers(rng: np.random.Generator, counties: pd.DataFrame) -> pd.DataFrame:
    """One employer of every industry in every worker county, two for manufacturing."""
    rows = []
    industries = [code for code, *_ in codes.INDUSTRIES if code != "A"] + ["C"]
    for adcode, cname in zip(counties["adcode"], counties["name"], strict=True):
        for ind in industries:
            rows.append((adcode, ind, f"{cname[:2]}{rng.choice(FIRM_WORDS)}{FIRM_SUFFIX[ind]}"))
    frame = pd.DataFrame(rows, columns=["adcode", "industry_code", "name"])
    frame["name"] = _unique(frame["name"].tolist())
    frame.insert(0, "employer_id", np.arange(1, len(frame) + 1))
    frame["headcount"] = rng.integers(30, 3000, len(frame))
    return frame


def build_orgs(regions: pd.DataFrame, counties: list[str], employers: pd.DataFrame) -> pd.DataFrame:
    """全总 → provincial → city → county federations, plus one grassroots union per employer."""
    info = regions.set_index("adcode")
    # org_id, name, level, parent_id (None for 全总), adcode, industry_code (grassroots unions only)
    rows: list[tuple[int, str, str, int | None, str, str | None]] = [(1, "中华全国总工会", "全总", None, "000000", None)]
    ids: dict[str, int] = {}
    next_id = 2

    def add(adcode: str, level: str, parent: int) -> int:
        nonlocal next_id
        if adcode in ids:
            return ids[adcode]
        name = info.at[adcode, "name"]
        label = {"省": f"{name}总工会", "市": f"{name}总工会", "县": f"{name}总工会"}[level]
        rows.append((next_id, label, level, parent, adcode, None))
        ids[adcode] = next_id
        next_id += 1
        return ids[adcode]

    for county in sorted(set(counties)):
        prov = info.at[county, "prov_adcode"] or county
        pref = info.at[county, "pref_adcode"] or county
        p_id = add(prov, "省", 1)
        c_id = add(pref, "市", p_id) if pref != prov else p_id
        if county not in (pref, prov):
            add(county, "县", c_id)
        else:
            ids.setdefault(county, c_id)
    county_org = dict(ids)
    for emp in employers.itertuples(index=False):
        rows.append((next_id, f"{emp.name}工会", "基层", county_org[emp.adcode], emp.adcode, emp.industry_code))
        next_id += 1
    return pd.DataFrame(rows, columns=["org_id", "name", "level", "parent_id", "adcode", "industry_code"])


def build_helpers(rng: np.random.Generator, counties: pd.Series, per_county: int) -> pd.DataFrame:
    from safetynet.demo import people

    adcodes = np.repeat(counties.to_numpy(), per_county)
    n = len(adcodes)
    unit_kind = rng.random(n) < 0.15
    male = rng.random(n) < 0.6
    names = people.surnames(rng, n) + people.given_names(rng, male)
    units = np.array(["县总工会", "乡镇工会", "帮扶单位", "驻村工作队", "企业工会"], dtype=object)
    unit = rng.choice(units, n)
    return pd.DataFrame({
        "helper_id": np.arange(1, n + 1),
        "name": np.where(unit_kind, unit, names),
        "helper_kind": np.where(unit_kind, "单位", "个人"),
        "unit": unit,
        "phone": people.phones(rng, n),
        "adcode": adcodes,
    })
