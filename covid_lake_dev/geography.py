"""Reference geography for the synthetic sample lake.

The 56 jurisdictions of the case data (50 states, DC and five territories) with their postal
abbreviations, FIPS codes, rounded 2019 population estimates and approximate centroids are typed
here. The US counties and county equivalents (FIPS, official name, state) are read at run time
from the pinned `addfips` package's Census list (its `counties_2015.csv`, the vintage the lake's
2018 population file follows): 3,142 counties in the 50 states and DC plus Puerto Rico's 78
municipios. Nothing of that list is copied into this repository.

County populations are synthetic: each state's total is split over its counties with a seeded,
skewed draw around a few anchor counties typed below (the state's largest county and the counties
the lake's quirks name), so every state has one big county and a long tail.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class State:
    name: str
    abbr: str
    fips: str
    population: int  # 2019 estimate, rounded
    lat: float
    lon: float

    @property
    def is_territory(self) -> bool:
        return self.fips in TERRITORY_FIPS

    @property
    def population_m(self) -> float:
        return self.population / 1e6


TERRITORY_FIPS = frozenset({"60", "66", "69", "72", "78"})

# name, abbr, fips, population (2019 estimate), centroid
STATES: tuple[State, ...] = tuple(
    State(*row)
    for row in (
        ("Alabama", "AL", "01", 4_903_185, 32.8, -86.8),
        ("Alaska", "AK", "02", 731_545, 64.0, -152.0),
        ("Arizona", "AZ", "04", 7_278_717, 34.3, -111.7),
        ("Arkansas", "AR", "05", 3_017_804, 34.9, -92.4),
        ("California", "CA", "06", 39_512_223, 37.2, -119.4),
        ("Colorado", "CO", "08", 5_758_736, 39.0, -105.5),
        ("Connecticut", "CT", "09", 3_565_287, 41.6, -72.7),
        ("Delaware", "DE", "10", 973_764, 39.0, -75.5),
        ("District of Columbia", "DC", "11", 705_749, 38.9, -77.0),
        ("Florida", "FL", "12", 21_477_737, 28.6, -82.4),
        ("Georgia", "GA", "13", 10_617_423, 32.7, -83.4),
        ("Hawaii", "HI", "15", 1_415_872, 20.3, -156.4),
        ("Idaho", "ID", "16", 1_787_065, 44.4, -114.6),
        ("Illinois", "IL", "17", 12_671_821, 40.0, -89.2),
        ("Indiana", "IN", "18", 6_732_219, 39.9, -86.3),
        ("Iowa", "IA", "19", 3_155_070, 42.1, -93.5),
        ("Kansas", "KS", "20", 2_913_314, 38.5, -98.4),
        ("Kentucky", "KY", "21", 4_467_673, 37.5, -85.3),
        ("Louisiana", "LA", "22", 4_648_794, 31.1, -92.0),
        ("Maine", "ME", "23", 1_344_212, 45.4, -69.2),
        ("Maryland", "MD", "24", 6_045_680, 39.0, -76.8),
        ("Massachusetts", "MA", "25", 6_892_503, 42.3, -71.8),
        ("Michigan", "MI", "26", 9_986_857, 44.3, -85.4),
        ("Minnesota", "MN", "27", 5_639_632, 46.3, -94.3),
        ("Mississippi", "MS", "28", 2_976_149, 32.7, -89.7),
        ("Missouri", "MO", "29", 6_137_428, 38.4, -92.5),
        ("Montana", "MT", "30", 1_068_778, 47.0, -109.6),
        ("Nebraska", "NE", "31", 1_934_408, 41.5, -99.8),
        ("Nevada", "NV", "32", 3_080_156, 39.3, -116.6),
        ("New Hampshire", "NH", "33", 1_359_711, 43.7, -71.6),
        ("New Jersey", "NJ", "34", 8_882_190, 40.2, -74.7),
        ("New Mexico", "NM", "35", 2_096_829, 34.4, -106.1),
        ("New York", "NY", "36", 19_453_561, 42.9, -75.5),
        ("North Carolina", "NC", "37", 10_488_084, 35.6, -79.4),
        ("North Dakota", "ND", "38", 762_062, 47.5, -100.5),
        ("Ohio", "OH", "39", 11_689_100, 40.3, -82.8),
        ("Oklahoma", "OK", "40", 3_956_971, 35.6, -97.5),
        ("Oregon", "OR", "41", 4_217_737, 43.9, -120.6),
        ("Pennsylvania", "PA", "42", 12_801_989, 40.9, -77.8),
        ("Rhode Island", "RI", "44", 1_059_361, 41.7, -71.5),
        ("South Carolina", "SC", "45", 5_148_714, 33.9, -80.9),
        ("South Dakota", "SD", "46", 884_659, 44.4, -100.2),
        ("Tennessee", "TN", "47", 6_829_174, 35.9, -86.4),
        ("Texas", "TX", "48", 28_995_881, 31.5, -99.3),
        ("Utah", "UT", "49", 3_205_958, 39.3, -111.7),
        ("Vermont", "VT", "50", 623_989, 44.1, -72.7),
        ("Virginia", "VA", "51", 8_535_519, 37.5, -78.9),
        ("Washington", "WA", "53", 7_614_893, 47.4, -120.5),
        ("West Virginia", "WV", "54", 1_792_147, 38.6, -80.6),
        ("Wisconsin", "WI", "55", 5_822_434, 44.6, -89.9),
        ("Wyoming", "WY", "56", 578_759, 43.0, -107.6),
        ("American Samoa", "AS", "60", 55_641, -14.271, -170.132),
        ("Guam", "GU", "66", 168_485, 13.4443, 144.7937),
        ("Northern Mariana Islands", "MP", "69", 51_433, 15.0979, 145.6739),
        ("Puerto Rico", "PR", "72", 3_193_694, 18.2208, -66.5901),
        ("Virgin Islands", "VI", "78", 106_405, 18.3358, -64.8963),
    )
)

STATE_BY_ABBR = {s.abbr: s for s in STATES}
STATE_BY_FIPS = {s.fips: s for s in STATES}

# NYT reports these five counties together as "New York City", with no fips; JHU reports them
# as one row "New York City" under 36061.
NYC_BOROUGHS = {"36005": "Bronx", "36047": "Kings", "36061": "New York", "36081": "Queens",
                "36085": "Richmond"}

# Anchor counties with rounded 2019 populations: every state's largest county, and the counties
# the lake's quirks name. The rest of a state's population is spread over its other counties.
ANCHOR_POPULATION: dict[str, int] = {
    "01073": 658_573, "02020": 288_000, "04013": 4_485_414, "05119": 391_911,
    "06037": 10_039_107, "06073": 3_338_330, "06059": 3_175_692, "06065": 2_470_546,
    "06071": 2_180_085, "06085": 1_927_852, "06001": 1_671_329, "08031": 727_211,
    "09001": 943_332, "10003": 558_753, "11001": 705_749, "12086": 2_716_940,
    "12011": 1_952_778, "13121": 1_063_937, "15003": 974_563, "16001": 481_587,
    "17031": 5_150_233, "18097": 964_582, "19153": 490_161, "20091": 602_401,
    "21111": 766_757, "22033": 440_059, "22051": 432_493, "22071": 390_144,
    "23005": 295_003, "24031": 1_050_688, "25017": 1_611_699, "25025": 803_907,
    "25007": 17_332, "25019": 11_399, "26163": 1_749_343, "26125": 1_257_584,
    "27053": 1_265_843, "28049": 231_840, "29189": 994_205, "29095": 703_011,
    "29097": 121_328, "29145": 58_236, "30111": 161_300, "31055": 571_327,
    "32003": 2_266_715, "33011": 417_025, "34003": 932_202, "34013": 798_975,
    "35001": 679_121, "35013": 218_195, "36047": 2_559_903, "36081": 2_253_858,
    "36061": 1_628_706, "36005": 1_418_207, "36085": 476_143, "36103": 1_476_601,
    "36059": 1_356_924, "36119": 967_506, "37183": 1_111_761, "38017": 181_923,
    "39049": 1_316_756, "40109": 797_434, "41051": 812_855, "42101": 1_584_064,
    "44007": 638_931, "45045": 523_542, "46099": 193_134, "47157": 937_166,
    "48201": 4_713_325, "48113": 2_635_516, "48439": 2_102_515, "48029": 2_003_554,
    "48453": 1_273_954, "49035": 1_160_437, "50007": 164_572, "51059": 1_147_532,
    "53033": 2_252_782, "53061": 822_083, "53053": 904_980, "54039": 178_124,
    "55079": 945_726, "56021": 99_500, "72127": 321_000,
}

# JHU writes these state-level territory rows with a synthetic 5-digit fips.
JHU_TERRITORY_FIPS = {"AS": "60000", "GU": "66000", "MP": "69000", "VI": "78000"}

# For fips the Census list names twice (a rename), the name in the 2018 population estimates.
_PREFERRED_NAME = {
    "02158": "Kusilvak Census Area", "02195": "Petersburg Borough",
    "11001": "District of Columbia", "36005": "Bronx County", "36047": "Kings County",
    "36061": "New York County", "36085": "Richmond County", "46102": "Oglala Lakota County",
}
# Dissolved before 2018 (merged into Bedford County, VA, in 2013); the population file lacks it.
_DISSOLVED = {"51515"}
_COUNTY_VINTAGE = "counties_2015.csv"


@dataclass(frozen=True)
class County:
    fips: str  # 5 digits
    name: str  # official Census name: "Autauga County", "Baltimore city", "Adjuntas Municipio"
    state: State


def addfips_names() -> dict[str, list[str]]:
    """Every name the addfips Census list gives each county fips (some have two)."""
    text = resources.files("addfips").joinpath("data", _COUNTY_VINTAGE).read_text("utf-8")
    names: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        names.setdefault(row["statefp"] + row["countyfp"], []).append(row["name"])
    return names


@lru_cache(maxsize=1)
def counties() -> tuple[County, ...]:
    """The counties of the 50 states, DC and Puerto Rico, sorted by fips (3,220)."""
    out = []
    for fips, names in sorted(addfips_names().items()):
        st = STATE_BY_FIPS.get(fips[:2])
        if st is None or fips in _DISSOLVED or (st.is_territory and st.abbr != "PR"):
            continue
        out.append(County(fips, _PREFERRED_NAME.get(fips, names[0]), st))
    return tuple(out)


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(" " + suffix):
            return name[: -len(suffix) - 1]
    return name


def population_file_name(official: str) -> str:
    """County_Population.csv drops ' County' only: 'Autauga', 'Acadia Parish', 'Baltimore city'."""
    return _strip(official, ("County",))


def nyt_name(official: str) -> str:
    """NYT: 'Acadia', 'Anchorage', 'Juneau City and Borough', 'Alexandria city'."""
    return _strip(official, ("County", "Parish", "Municipality"))


def jhu_names(cs: tuple[County, ...]) -> dict[str, str]:
    """JHU's Admin2: the bare name ('Juneau', 'Fairbanks North Star'); an independent city
    whose bare name is also a county of its state is 'Baltimore City', else 'Alexandria'."""
    bare = {c.fips: _strip(c.name, ("City and Borough", "County", "Parish", "Borough",
                                    "Census Area", "Municipality", "Municipio", "city"))
            for c in cs}
    taken = {(c.state.abbr, bare[c.fips]) for c in cs if not c.name.endswith(" city")}
    out = {}
    for c in cs:
        b = bare[c.fips]
        out[c.fips] = f"{b} City" if c.name.endswith(" city") and (c.state.abbr, b) in taken else b
    out["36061"] = "New York City"
    return out


# Non-US regions for the JHU file: (province_state, country_region, lat, lon). Quoted commas
# ("Korea, South"), provinces of one country and ships are what the real file has.
NON_US_REGIONS: tuple[tuple[str, str, float, float], ...] = (
    ("Anhui", "China", 31.8257, 117.2264), ("Beijing", "China", 40.1824, 116.4142),
    ("Hubei", "China", 30.9756, 112.2707), ("Guangdong", "China", 23.3417, 113.4244),
    ("Zhejiang", "China", 29.1832, 120.0934), ("Hong Kong", "China", 22.3, 114.2),
    ("Tibet", "China", 31.6927, 88.0924), ("Xinjiang", "China", 41.1129, 85.2401),
    ("", "Korea, South", 35.907757, 127.766922), ("", "Italy", 41.87194, 12.56738),
    ("", "Spain", 40.463667, -3.74922), ("", "Germany", 51.165691, 10.451526),
    ("", "France", 46.2276, 2.2137), ("", "Iran", 32.427908, 53.688046),
    ("", "United Kingdom", 55.3781, -3.436), ("Ontario", "Canada", 51.2538, -85.3232),
    ("Quebec", "Canada", 52.9399, -73.5491), ("British Columbia", "Canada", 53.7267, -127.6476),
    ("Recovered", "Canada", 0.0, 0.0), ("Diamond Princess", "Canada", 0.0, 0.0),
    ("Grand Princess", "Canada", 0.0, 0.0),
    ("", "Japan", 36.204824, 138.252924), ("", "Brazil", -14.235, -51.9253),
    ("", "India", 20.593684, 78.96288), ("", "Mexico", 23.6345, -102.5528),
    ("New South Wales", "Australia", -33.8688, 151.2093),
    ("Victoria", "Australia", -37.8136, 144.9631),
    ("", "Netherlands", 52.1326, 5.2913), ("", "Belgium", 50.8333, 4.0),
    ("", "Sweden", 60.128161, 18.643501), ("", "Norway", 60.472024, 8.468946),
    ("", "Switzerland", 46.8182, 8.2275), ("", "Austria", 47.5162, 14.5501),
    ("", "Portugal", 39.3999, -8.2245), ("", "Israel", 31.046051, 34.851612),
    ("", "Turkey", 38.9637, 35.2433), ("", "Russia", 61.52401, 105.318756),
    ("", "Peru", -9.19, -75.0152), ("", "Chile", -35.6751, -71.543),
    ("", "Egypt", 26.820553, 30.802498), ("", "South Africa", -30.5595, 22.9375),
    ("", "Congo (Kinshasa)", -4.0383, 21.7587), ("", "Bahamas, The", 25.0343, -77.3963),
    ("", "Gambia, The", 13.4432, -15.3101), ("", "Taiwan*", 23.7, 121.0),
    ("", "Diamond Princess", 0.0, 0.0), ("", "MS Zaandam", 0.0, 0.0),
    ("", "Cote d'Ivoire", 7.54, -5.5471), ("", "Burma", 21.9162, 95.956),
    ("", "Holy See", 41.9029, 12.4534), ("", "West Bank and Gaza", 31.9522, 35.2332),
    ("", "Singapore", 1.2833, 103.8333), ("", "Thailand", 15.870032, 100.992541),
    ("", "Vietnam", 14.058324, 108.277199), ("", "Philippines", 12.879721, 121.774017),
    ("", "Malaysia", 4.210484, 101.975766), ("", "Indonesia", -0.7893, 113.9213),
    ("", "Pakistan", 30.3753, 69.3451), ("", "Saudi Arabia", 23.885942, 45.079162),
    ("", "Qatar", 25.3548, 51.1839), ("", "United Arab Emirates", 23.424076, 53.847818),
    ("", "Ireland", 53.1424, -7.6921), ("", "Denmark", 56.2639, 9.5018),
    ("", "Finland", 61.92411, 25.748151), ("", "Poland", 51.9194, 19.1451),
    ("", "Czechia", 49.8175, 15.473), ("", "Greece", 39.0742, 21.8243),
    ("", "Romania", 45.9432, 24.9668), ("", "Ukraine", 48.3794, 31.1656),
    ("", "Argentina", -38.4161, -63.6167), ("", "Colombia", 4.5709, -74.2973),
    ("", "Ecuador", -1.8312, -78.1834), ("", "New Zealand", -40.9006, 174.886),
    ("", "Algeria", 28.0339, 1.6596), ("", "Morocco", 31.7917, -7.0926),
    ("", "Nigeria", 9.082, 8.6753), ("", "Kenya", -0.0236, 37.9062),
    ("", "Iceland", 64.9631, -19.0208), ("", "Luxembourg", 49.8153, 6.1296),
    ("", "Serbia", 44.0165, 21.0059), ("", "Croatia", 45.1, 15.2),
    ("", "Hungary", 47.1625, 19.5033), ("", "Bangladesh", 23.685, 90.3563),
    ("", "Belarus", 53.7098, 27.9534), ("", "Kazakhstan", 48.0196, 66.9237),
    ("", "Dominican Republic", 18.7357, -70.1627), ("", "Panama", 8.538, -80.7821),
    ("", "Cuba", 21.521757, -77.781167), ("", "Iraq", 33.223191, 43.679291),
    ("", "Kuwait", 29.31166, 47.481766), ("", "Bahrain", 26.0275, 50.55),
    ("", "Oman", 21.512583, 55.923255),
)
