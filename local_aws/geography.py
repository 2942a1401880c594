"""Reference geography for the synthetic sample lake.

Real names, postal abbreviations, FIPS codes and county counts (2018 vintage: 3,142 counties and
county equivalents in the 50 states and DC, plus Puerto Rico's 78 municipios). Populations are
rounded 2018 estimates in millions; centroids are approximate. County names are synthetic except
New York City's five boroughs, which the NYT data treats specially.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    name: str
    abbr: str
    fips: str
    n_counties: int
    population_m: float
    lat: float
    lon: float

    @property
    def is_territory(self) -> bool:
        return self.fips in TERRITORY_FIPS


TERRITORY_FIPS = frozenset({"60", "66", "69", "72", "78"})

# name, abbr, fips, counties, population (millions), centroid
STATES: tuple[State, ...] = tuple(
    State(*row)
    for row in (
        ("Alabama", "AL", "01", 67, 4.89, 32.8, -86.8),
        ("Alaska", "AK", "02", 29, 0.74, 64.0, -152.0),
        ("Arizona", "AZ", "04", 15, 7.17, 34.3, -111.7),
        ("Arkansas", "AR", "05", 75, 3.01, 34.9, -92.4),
        ("California", "CA", "06", 58, 39.56, 37.2, -119.4),
        ("Colorado", "CO", "08", 64, 5.70, 39.0, -105.5),
        ("Connecticut", "CT", "09", 8, 3.57, 41.6, -72.7),
        ("Delaware", "DE", "10", 3, 0.97, 39.0, -75.5),
        ("District of Columbia", "DC", "11", 1, 0.70, 38.9, -77.0),
        ("Florida", "FL", "12", 67, 21.30, 28.6, -82.4),
        ("Georgia", "GA", "13", 159, 10.52, 32.7, -83.4),
        ("Hawaii", "HI", "15", 5, 1.42, 20.3, -156.4),
        ("Idaho", "ID", "16", 44, 1.75, 44.4, -114.6),
        ("Illinois", "IL", "17", 102, 12.74, 40.0, -89.2),
        ("Indiana", "IN", "18", 92, 6.69, 39.9, -86.3),
        ("Iowa", "IA", "19", 99, 3.16, 42.1, -93.5),
        ("Kansas", "KS", "20", 105, 2.91, 38.5, -98.4),
        ("Kentucky", "KY", "21", 120, 4.47, 37.5, -85.3),
        ("Louisiana", "LA", "22", 64, 4.66, 31.1, -92.0),
        ("Maine", "ME", "23", 16, 1.34, 45.4, -69.2),
        ("Maryland", "MD", "24", 24, 6.04, 39.0, -76.8),
        ("Massachusetts", "MA", "25", 14, 6.90, 42.3, -71.8),
        ("Michigan", "MI", "26", 83, 9.99, 44.3, -85.4),
        ("Minnesota", "MN", "27", 87, 5.61, 46.3, -94.3),
        ("Mississippi", "MS", "28", 82, 2.99, 32.7, -89.7),
        ("Missouri", "MO", "29", 115, 6.13, 38.4, -92.5),
        ("Montana", "MT", "30", 56, 1.06, 47.0, -109.6),
        ("Nebraska", "NE", "31", 93, 1.93, 41.5, -99.8),
        ("Nevada", "NV", "32", 17, 3.03, 39.3, -116.6),
        ("New Hampshire", "NH", "33", 10, 1.36, 43.7, -71.6),
        ("New Jersey", "NJ", "34", 21, 8.91, 40.2, -74.7),
        ("New Mexico", "NM", "35", 33, 2.10, 34.4, -106.1),
        ("New York", "NY", "36", 62, 19.54, 42.9, -75.5),
        ("North Carolina", "NC", "37", 100, 10.38, 35.6, -79.4),
        ("North Dakota", "ND", "38", 53, 0.76, 47.5, -100.5),
        ("Ohio", "OH", "39", 88, 11.69, 40.3, -82.8),
        ("Oklahoma", "OK", "40", 77, 3.94, 35.6, -97.5),
        ("Oregon", "OR", "41", 36, 4.19, 43.9, -120.6),
        ("Pennsylvania", "PA", "42", 67, 12.81, 40.9, -77.8),
        ("Rhode Island", "RI", "44", 5, 1.06, 41.7, -71.5),
        ("South Carolina", "SC", "45", 46, 5.08, 33.9, -80.9),
        ("South Dakota", "SD", "46", 66, 0.88, 44.4, -100.2),
        ("Tennessee", "TN", "47", 95, 6.77, 35.9, -86.4),
        ("Texas", "TX", "48", 254, 28.70, 31.5, -99.3),
        ("Utah", "UT", "49", 29, 3.16, 39.3, -111.7),
        ("Vermont", "VT", "50", 14, 0.63, 44.1, -72.7),
        ("Virginia", "VA", "51", 133, 8.52, 37.5, -78.9),
        ("Washington", "WA", "53", 39, 7.54, 47.4, -120.5),
        ("West Virginia", "WV", "54", 55, 1.81, 38.6, -80.6),
        ("Wisconsin", "WI", "55", 72, 5.81, 44.6, -89.9),
        ("Wyoming", "WY", "56", 23, 0.58, 43.0, -107.6),
        ("American Samoa", "AS", "60", 0, 0.055, -14.3, -170.7),
        ("Guam", "GU", "66", 0, 0.165, 13.4, 144.8),
        ("Northern Mariana Islands", "MP", "69", 0, 0.056, 15.1, 145.7),
        ("Puerto Rico", "PR", "72", 78, 3.20, 18.2, -66.5),
        ("Virgin Islands", "VI", "78", 0, 0.105, 18.3, -64.9),
    )
)

STATE_BY_ABBR = {s.abbr: s for s in STATES}

# NYT reports these five counties together as "New York City", with no fips.
NYC_BOROUGHS = {"36005": "Bronx", "36047": "Kings", "36061": "New York", "36081": "Queens",
                "36085": "Richmond"}

COUNTY_NAME_STEMS = (
    "Washington", "Jefferson", "Franklin", "Jackson", "Lincoln", "Madison", "Clay", "Montgomery",
    "Marion", "Monroe", "Union", "Greene", "Wayne", "Warren", "Grant", "Clark", "Carroll",
    "Marshall", "Polk", "Lake", "Douglas", "Lee", "Morgan", "Johnson", "Adams", "Calhoun",
    "Hamilton", "Lawrence", "Crawford", "Fayette", "Shelby", "Benton", "Boone", "Perry", "Scott",
    "Henry", "Hancock", "Putnam", "Cass", "Knox", "Logan", "Orange", "Pike", "Harrison", "Cedar",
    "Brown", "Butler", "Mercer", "Sumner", "Wilson", "Pulaski", "Randolph", "Richland", "Custer",
    "Dallas", "Decatur", "Dade", "Hardin", "Houston", "Howard", "Jasper", "Lafayette", "Livingston",
    "Macon", "Marion", "Mitchell", "Newton", "Ohio", "Pierce", "Sherman", "Stark", "Taylor",
    "Tipton", "Walker", "Webster", "Worth", "Yell", "Baker", "Bell", "Blaine", "Bristol", "Camden",
)

# Non-US regions for the JHU file: (province_state, country_region, lat, lon). Quoted commas
# ("Korea, South") and provinces of one country are what the real file has.
NON_US_REGIONS: tuple[tuple[str, str, float, float], ...] = (
    ("Anhui", "China", 31.83, 117.23), ("Beijing", "China", 40.18, 116.41),
    ("Hubei", "China", 30.98, 112.27), ("Guangdong", "China", 23.34, 113.42),
    ("Zhejiang", "China", 29.18, 120.09), ("Hong Kong", "China", 22.30, 114.20),
    ("", "Korea, South", 35.91, 127.77), ("", "Italy", 41.87, 12.57), ("", "Spain", 40.46, -3.75),
    ("", "Germany", 51.17, 10.45), ("", "France", 46.23, 2.21), ("", "Iran", 32.43, 53.69),
    ("", "United Kingdom", 55.38, -3.44), ("Ontario", "Canada", 51.25, -85.32),
    ("Quebec", "Canada", 52.94, -73.55), ("British Columbia", "Canada", 53.73, -127.65),
    ("", "Japan", 36.20, 138.25), ("", "Brazil", -14.24, -51.93), ("", "India", 20.59, 78.96),
    ("", "Mexico", 23.63, -102.55), ("", "Australia", -25.27, 133.78),
    ("New South Wales", "Australia", -33.87, 151.21), ("Victoria", "Australia", -37.81, 144.96),
    ("", "Netherlands", 52.13, 5.29), ("", "Belgium", 50.50, 4.47), ("", "Sweden", 60.13, 18.64),
    ("", "Norway", 60.47, 8.47), ("", "Switzerland", 46.82, 8.23), ("", "Austria", 47.52, 14.55),
    ("", "Portugal", 39.40, -8.22), ("", "Israel", 31.05, 34.85), ("", "Turkey", 38.96, 35.24),
    ("", "Russia", 61.52, 105.32), ("", "Peru", -9.19, -75.02), ("", "Chile", -35.68, -71.54),
    ("", "Egypt", 26.82, 30.80), ("", "South Africa", -30.56, 22.94),
    ("", "Congo (Kinshasa)", -4.04, 21.76), ("", "Bahamas, The", 25.03, -77.40),
    ("", "Gambia, The", 13.44, -15.31), ("", "Taiwan*", 23.70, 121.00),
    ("Diamond Princess", "Cruise Ship", 35.44, 139.64), ("", "Singapore", 1.35, 103.82),
    ("", "Thailand", 15.87, 100.99), ("", "Vietnam", 14.06, 108.28),
    ("", "Philippines", 12.88, 121.77), ("", "Malaysia", 4.21, 101.98),
    ("", "Indonesia", -0.79, 113.92), ("", "Pakistan", 30.38, 69.35),
    ("", "Saudi Arabia", 23.89, 45.08), ("", "Qatar", 25.35, 51.18),
    ("", "United Arab Emirates", 23.42, 53.85), ("", "Ireland", 53.14, -7.69),
    ("", "Denmark", 56.26, 9.50), ("", "Finland", 61.92, 25.75), ("", "Poland", 51.92, 19.15),
    ("", "Czechia", 49.82, 15.47), ("", "Greece", 39.07, 21.82), ("", "Romania", 45.94, 24.97),
    ("", "Ukraine", 48.38, 31.17), ("", "Argentina", -38.42, -63.62),
    ("", "Colombia", 4.57, -74.30), ("", "Ecuador", -1.83, -78.18),
    ("", "New Zealand", -40.90, 174.89), ("", "Algeria", 28.03, 1.66),
    ("", "Morocco", 31.79, -7.09), ("", "Nigeria", 9.08, 8.68), ("", "Kenya", -0.02, 37.91),
    ("", "Iceland", 64.96, -19.02), ("", "Luxembourg", 49.82, 6.13),
    ("", "Serbia", 44.02, 21.01), ("", "Croatia", 45.10, 15.20),
    ("", "Hungary", 47.16, 19.50), ("", "Bangladesh", 23.68, 90.36),
    ("", "Belarus", 53.71, 27.95), ("", "Kazakhstan", 48.02, 66.92),
    ("", "Dominican Republic", 18.74, -70.16), ("", "Panama", 8.54, -80.78),
    ("", "Cuba", 21.52, -77.78), ("", "Iraq", 33.22, 43.68),
    ("", "Kuwait", 29.31, 47.48), ("", "Bahrain", 26.07, 50.56), ("", "Oman", 21.51, 55.92),
)
