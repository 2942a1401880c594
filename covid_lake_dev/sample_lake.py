"""A synthetic, seeded copy of the AWS COVID-19 data lake's ten source objects.

    python -m covid_lake_dev.sample_lake OUT_DIR --scale small|full|x10 [--seed N]

writes the ten objects under OUT_DIR with the bucket's object keys (OUT_DIR/enigma-jhu/csv/
Enigma-JHU.csv.gz, ...), the real files' formats, headers, column order, line endings and quirks
(../shared/real-lake/README.md, ../shared/docs/covid19-lake.md). The numbers are invented but
shaped like the real ones:

- Geography: the real US counties (FIPS, Census name, state) from the pinned `addfips` package,
  written under each source's naming ('Autauga' / 'Acadia Parish' / 'Baltimore City' ...);
  real-ish state populations split over their counties with a seeded skewed draw (one big county,
  a long tail). See covid_lake_dev/geography.py.
- Epidemic: every state follows three waves (spring 2020 led by NY, NJ, MA, CT, LA, MI, ...;
  a summer wave in the sun belt; the winter wave, strongest in the Midwest). Counties follow their
  state's curve with their own size and a start delay that grows as the county gets smaller.
- Sources disagree the way the real ones do. NYT county figures are the latent truth; NYT state
  figures were captured at another time (they are not the sum of the county rows); JHU is a few
  percent off per county and a day behind in some states; COVID Tracking is a few percent off per
  state and usually a day behind; its national us_daily is another revision (not the exact sum of
  states_daily).

Scales:
- small: 11 jurisdictions (WA NY MO CA DC PR GU, plus NM TX MA MI for their quirks), their 6
  largest counties plus the counties the quirks name, 2020-03-10..2020-05-09. Every quirk.
- full:  the real files' row counts (JHU 222,804; states_daily 20,780; NYT states 3,754; 6,637
  hospitals; 3,220 counties), all 56 jurisdictions.
- x10:   full with every daily series ten times as long (and ten times the hospitals), for
         benchmarks; dates then run years past the real lake's end.

The real quirks reproduced (JHU, Enigma-JHU.csv.gz, on the county-level days from 2020-03-22):
- fips zero-padded to 5 digits, except on 3 days (2020-03-28..30) where it has no leading zero
  ('6037') and last_update is M/D/YY H:MM ('3/28/20 23:05', zero coordinates '0'); ISO
  '2020-03-25 23:33:19' (zero coordinates '0.0') on every other day;
- 'Unassigned, <State>, US' and 'Out of XX, <State>, US' rows with empty fips, lat/long 0;
  'Dukes and Nantucket' and 'Kansas City' with empty fips; Harris, Texas without fips (and
  coordinates) on one day (2020-03-31); 'Dona Ana' and 'Doña Ana' both 35013 on 03-25..27 (the
  latter with 0 cases), from 03-28 'Dona Ana' (with the cases) has an empty fips;
- cruise ships 88888 'Diamond Princess' and 99999 'Grand Princess' (province_state the ship),
  territories as state-level rows 60000 / 66000 / 69000 / 78000, Puerto Rico as a state-level row
  with empty fips, 'Recovered, US' (recovered only), New York City as one row under 36061;
- `active` 0 on every US row; non-US rows (quoted 'Korea, South', ships, provinces) without fips;
  most China provinces keep a stale last_update (and value) from early in the window;
- JHU reports a county twice on some days; the earlier report is written *after* the later one,
  so file order cannot be trusted (take the latest last_update).
- JHU corrections: for each (fips, date) in `corrections(scale)` JHU's cumulative `confirmed`
  drops below the previous day's value and stays lowered (a reclassification). JHU only: NYT and
  the COVID Tracking figures are not corrected. Apart from these and the Doña Ana switch, no JHU
  county's cumulative count decreases.

NYT: 'Unknown' (per state; the only rows of the territories), 'New York City', 'Kansas City' and
'Joplin' with empty fips; us_states fips 2 digits. COVID Tracking: states_daily date descending,
empty columns the real file leaves empty, probableCases for five states only, a few negative
increments (negative tests and hospitalizedCumulative revised down); us_daily with 'T24:00:00Z'
timestamps, date descending, recovered empty; us.csv without final newline, its quoted notes with
doubled quotes. Static files: CountryCodeQS.csv with a BOM, CRLF, no final newline and duplicate
alpha-2 codes under alternative names; County_Population.csv CRLF with Id2 without leading zeros;
states_abv.csv 51 rows. Hospital beds: JSON lines with the real UPPER_CASE keys, null patterns and
ZIP codes that lost their leading zero.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from covid_lake_dev.geography import (
    ANCHOR_POPULATION,
    JHU_TERRITORY_FIPS,
    NON_US_REGIONS,
    NYC_BOROUGHS,
    STATE_BY_ABBR,
    STATES,
    County,
    State,
    counties,
    jhu_names,
    nyt_name,
    population_file_name,
)
from covid_lake_sources import BY_NAME

DEFAULT_SEED = 20200122
SCALES = ("small", "full", "x10")


@dataclass(frozen=True)
class Scale:
    name: str
    states: tuple[str, ...] | None  # postal abbreviations; None = all 56 jurisdictions
    counties_per_state: int | None  # None = every county (the quirks' counties are always kept)
    # Each daily series: first date, number of days, rows wanted (None = what the window gives).
    sd_start: date
    sd_days: int
    sd_rows: int | None
    nyt_start: date
    nyt_days: int
    nyt_state_rows: int | None
    jhu_start: date
    jhu_days: int
    jhu_county_days: int  # county-level US reporting: the last N days of the JHU window
    jhu_pr_days: int  # Puerto Rico's state-level rows: the last N days
    jhu_rows: int | None  # all JHU rows; the non-US regions fill what the US rows leave
    jhu_non_us_regions: int | None  # None = every region
    jhu_extra_reports: int  # second, earlier reports of one county on one day
    hospitals: int
    hospitals_no_fips: int
    n_corrections: int
    stretch: int = 1


def _stretched(base: Scale, name: str, k: int) -> Scale:
    def mul(v: int | None) -> int | None:
        return None if v is None else v * k

    return Scale(
        name, base.states, base.counties_per_state,
        base.sd_start, base.sd_days * k, mul(base.sd_rows),
        base.nyt_start, base.nyt_days * k, mul(base.nyt_state_rows),
        base.jhu_start, base.jhu_days * k, base.jhu_county_days * k, base.jhu_pr_days * k,
        mul(base.jhu_rows), base.jhu_non_us_regions, base.jhu_extra_reports * k,
        base.hospitals * k, base.hospitals_no_fips * k, base.n_corrections, k,
    )


# full: 2020-01-13..2021-03-07 (420 days) for COVID Tracking, 2020-01-21..2020-05-09 for NYT,
# 2020-01-22..2020-05-23 for JHU with county rows from 2020-03-22 (63 days).
FULL = Scale(
    "full", None, None,
    date(2020, 1, 13), 420, 20_780,
    date(2020, 1, 21), 110, 3_754,
    date(2020, 1, 22), 123, 63, 74, 222_804, None, 344,
    6_637, 8, 3,
)
SMALL = Scale(
    "small", ("WA", "NY", "MO", "CA", "DC", "PR", "GU", "NM", "TX", "MA", "MI"), 6,
    date(2020, 3, 10), 61, None,
    date(2020, 3, 10), 61, None,
    date(2020, 3, 10), 61, 49, 60, None, 14, 20,
    120, 2, 1,
)
SCALE_SPECS = {"small": SMALL, "full": FULL, "x10": _stretched(FULL, "x10", 10)}

# Regions the small scale must keep so every quirk is present.
_SMALL_NON_US = ("Anhui", "Hubei", "Tibet", "Korea, South", "Italy", "Bahamas, The", "Ontario",
                 "Diamond Princess", "MS Zaandam", "Recovered")

# Counties the quirks name; kept at every scale.
_QUIRK_COUNTIES = ("29095", "29097", "35013", "48201", "25007", "25019", *NYC_BOROUGHS)

# JHU day offsets from the first county-level day (2020-03-22 at the small and full scales).
_SHEET_DAYS = (6, 7, 8)  # 03-28..03-30: fips without leading zero, M/D/YY H:MM timestamps
_DONA_ANA_BOTH = (3, 4, 5)  # 03-25..03-27: 'Dona Ana' and 'Doña Ana' both 35013
_HARRIS_NO_FIPS = 9  # 03-31


def corrections(scale: str, seed: int = DEFAULT_SEED) -> list[tuple[str, date]]:
    """The (county fips, date) pairs where JHU's cumulative `confirmed` drops (see module doc)."""
    return _Lake(SCALE_SPECS[scale], seed).corrections


# --------------------------------------------------------------------------------------------
# Epidemic shape per state: spring size relative to the country (the early hot spots lead),
# summer size (the sun belt), winter size (the Midwest). Per-capita attack rates.

# Spring wave: share of the population infected by mid-June 2020, and the day (after
# 2020-01-01) the wave is half done with its width in days. Others: drawn around 0.3%, day 110-130.
_SPRING = {"NY": (0.0195, 99, 7), "NJ": (0.019, 103, 8), "MA": (0.015, 110, 9),
           "CT": (0.013, 108, 9), "RI": (0.016, 115, 10), "LA": (0.010, 100, 8),
           "MI": (0.0065, 100, 8), "DC": (0.014, 115, 11), "IL": (0.0105, 118, 12),
           "DE": (0.011, 115, 11), "MD": (0.0105, 118, 12), "PA": (0.0065, 110, 10),
           "CO": (0.005, 108, 12), "WA": (0.0035, 102, 14), "IN": (0.006, 115, 12),
           "GA": (0.0055, 112, 12), "FL": (0.0035, 110, 12), "CA": (0.0035, 125, 15),
           "TX": (0.0025, 125, 14), "WY": (0.0017, 118, 12), "AK": (0.0007, 110, 10),
           "MT": (0.0006, 105, 8), "HI": (0.0005, 105, 8), "WV": (0.0012, 118, 12),
           "ME": (0.002, 115, 12), "OR": (0.0012, 115, 14), "PR": (0.002, 120, 14),
           "GU": (0.001, 100, 10), "VI": (0.0007, 110, 10), "MP": (0.0004, 115, 10)}
_SUMMER = {"AZ": 0.025, "FL": 0.022, "TX": 0.02, "MS": 0.02, "LA": 0.015, "GA": 0.018,
           "SC": 0.018, "AL": 0.018, "NV": 0.016, "TN": 0.015, "AR": 0.014, "CA": 0.012,
           "ID": 0.012, "UT": 0.012, "GU": 0.02, "NY": 0.002, "NJ": 0.002, "CT": 0.002,
           "MA": 0.002, "RI": 0.003, "VT": 0.001, "ME": 0.001}
_WINTER = {"ND": 1.6, "SD": 1.6, "WI": 1.3, "IA": 1.3, "NE": 1.3, "MN": 1.2, "IL": 1.2, "IN": 1.2,
           "RI": 1.3, "UT": 1.3, "TN": 1.2, "VT": 0.35, "ME": 0.35, "HI": 0.25, "OR": 0.45,
           "AS": 0.0}
_MIDWEST = frozenset({"ND", "SD", "WI", "IA", "NE", "MN", "MT", "WY", "KS", "IL", "MO", "IN"})
_HIGH_CFR = {"NY": 0.075, "NJ": 0.06, "CT": 0.065, "MA": 0.06, "MI": 0.07, "LA": 0.05,
             "PA": 0.05, "RI": 0.045}
# NYT first case per state (days after the NYT window's first day, 2020-01-21); the others fall
# on 2020-02-28..2020-03-17 (drawn), Northern Mariana Islands on 2020-03-28; American Samoa none.
_NYT_FIRST_CASE = {"WA": 0, "IL": 3, "CA": 4, "AZ": 5, "MA": 11, "WI": 15, "TX": 22, "NE": 27,
                   "MP": 67}
_OUT_OF = ("MI", "OK", "TN", "UT")  # states with 'Out of XX' JHU rows
_PROBABLE = ("ID", "MI", "ND", "VT", "WI")  # states_daily probableCases
_TEST_SOURCES = ("totalTestsViral", "totalTestEncountersViral", "posNeg", "totalTestsPeopleViral")


# --------------------------------------------------------------------------------------------
# Helpers


def _spans(rng: np.random.Generator, n: int, window: int, total: int | None, lo: int,
           fixed: dict[int, int] | None = None, hi: int | None = None) -> np.ndarray:
    """Days each of n entities reports (ending at the window's end), summing to `total`."""
    fixed = fixed or {}
    hi = window if hi is None else min(hi, window)
    lo = min(lo, hi)
    spans = rng.integers(lo, hi + 1, n)
    for i, v in fixed.items():
        spans[i] = min(v, window)
    if total is None:
        return spans
    if not n <= total <= n * window:
        raise ValueError(f"cannot spread {total} rows over {n} entities of <= {window} days")
    free = np.array([i for i in range(n) if i not in fixed])
    gap = total - int(spans.sum())
    while gap:
        step = 1 if gap > 0 else -1
        room = spans[free] < window if step > 0 else spans[free] > 1
        candidates = free[room]
        take = rng.choice(candidates, size=min(abs(gap), len(candidates)), replace=False)
        spans[take] += step
        gap -= step * len(take)
    return spans


def _logistic(t: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(t, -60, 60)))


def _shift(a: np.ndarray, days: int | np.ndarray) -> np.ndarray:
    """a[:, t - days] (per row when days is an array); 0 before the start."""
    n, m = a.shape
    days = np.broadcast_to(np.asarray(days, dtype=np.int64), (n,))
    idx = np.arange(m)[None, :] - days[:, None]
    out = np.take_along_axis(a, np.clip(idx, 0, m - 1), axis=1)
    out[idx < 0] = 0
    return out


def _hashes(values) -> np.ndarray:
    return np.array([hashlib.sha1(v.encode()).hexdigest() for v in values], dtype=object)


def _txt(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").astype(object)


def _num_text(x: np.ndarray, sheet: np.ndarray) -> np.ndarray:
    """Coordinates as the real file writes them: repr of the float; '0' for zero on sheet days."""
    codes, uniq = pd.factorize(x, use_na_sentinel=True)
    text = np.array([repr(float(v)) for v in uniq] + [""], dtype=object)
    out = text[codes]  # code -1 (NaN) picks the trailing ""
    out[(x == 0) & sheet] = "0"
    return out


@dataclass
class _Units:
    """Every region with its own curve: counties, and the territories without counties."""

    fips: np.ndarray  # 5-digit county fips, or 2-digit for a territory without counties
    state: list[State]
    official: list[str]  # Census name, or the territory's name
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    is_county: np.ndarray
    lead: np.ndarray  # the state's first county to report a case (its largest)


class _Lake:
    """Every random draw happens in __init__ or in a fixed order, so a seed fixes every byte."""

    def __init__(self, spec: Scale, seed: int):
        self.spec, self.seed = spec, seed
        self.rng = np.random.default_rng(seed)
        self.stretch = spec.stretch
        self.states = [s for s in STATES if spec.states is None or s.abbr in spec.states]
        self.first_day = min(spec.sd_start, spec.nyt_start, spec.jhu_start)
        ends = [spec.sd_start + timedelta(spec.sd_days - 1),
                spec.nyt_start + timedelta(spec.nyt_days - 1),
                spec.jhu_start + timedelta(spec.jhu_days - 1)]
        self.n_days = (max(ends) - self.first_day).days + 1
        self.days = pd.date_range(self.first_day, periods=self.n_days, freq="D")
        jhu_end = self.day_index(spec.jhu_start) + spec.jhu_days - 1
        self.county_start = jhu_end - spec.jhu_county_days + 1
        self.units = self._make_units()
        self._make_curves()
        self.jhu_county = self._jhu_county_values()
        self.corrections = self._pick_corrections()
        self.regions = self._pick_non_us_regions()

    def day_index(self, d: date) -> int:
        return (d - self.first_day).days

    def cal_index(self, days_after_jan1: np.ndarray | float) -> np.ndarray:
        """Day index of a calendar position (days after 2020-01-01), stretched at x10."""
        return (np.asarray(days_after_jan1, dtype=float)
                + (date(2020, 1, 1) - self.first_day).days) * self.stretch

    def _srng(self, stream: int, st: State) -> np.random.Generator:
        """One stream per state and purpose: a state's draws do not depend on the scale."""
        return np.random.default_rng([self.seed, stream, int(st.fips)])

    # ---- geography

    def _make_units(self) -> _Units:
        cap = self.spec.counties_per_state
        self._rank: dict[str, float] = {}
        by_state: dict[str, list[County]] = {}
        for c in counties():
            by_state.setdefault(c.state.abbr, []).append(c)
        fips, state, official, pop, lat, lon, is_county, lead = [], [], [], [], [], [], [], []
        for st in self.states:
            cs = by_state.get(st.abbr, [])
            if not cs:  # a territory without counties: one unit
                fips.append(st.fips), state.append(st), official.append(st.name)
                pop.append(st.population), lat.append(st.lat), lon.append(st.lon)
                is_county.append(False), lead.append(True)
                continue
            rng = self._srng(1, st)
            p = self._split_population(rng, st, cs)
            jitter = rng.uniform(-1, 1, (len(cs), 2)) * ([1.5, 2.5] if len(cs) > 1 else 0.0)
            keep = np.arange(len(cs))
            if cap is not None:
                top = set(np.argsort(-p, kind="stable")[:cap].tolist())
                keep = np.array(sorted(top | {k for k, c in enumerate(cs)
                                              if c.fips in _QUIRK_COUNTIES}))
            big = keep[np.argmax(p[keep])]
            rank = p.argsort(kind="stable").argsort() / max(1, len(cs) - 1)  # 1 = the largest
            self._rank.update({c.fips: rank[j] for j, c in enumerate(cs)})
            for k in keep:
                c = cs[k]
                fips.append(c.fips), state.append(st), official.append(c.name), pop.append(p[k])
                lat.append(round(st.lat + jitter[k, 0], 8))
                lon.append(round(st.lon + jitter[k, 1], 8))
                is_county.append(True), lead.append(k == big)
        return _Units(np.array(fips, dtype=object), state, official, np.array(pop, dtype=np.int64),
                      np.array(lat), np.array(lon), np.array(is_county), np.array(lead))

    @staticmethod
    def _split_population(rng: np.random.Generator, st: State, cs: list[County]) -> np.ndarray:
        """The state's population over its counties: the anchors' figures, the rest skewed."""
        anchor = np.array([ANCHOR_POPULATION.get(c.fips, 0) for c in cs], dtype=float)
        free = anchor == 0
        shares = rng.lognormal(0.0, 1.3, len(cs))
        rest = max(st.population - anchor.sum(), 100.0 * free.sum())
        p = anchor.copy()
        if free.any():
            ceiling = 0.9 * anchor.max() if anchor.any() else np.inf
            w = shares[free] / shares[free].sum()
            for _ in range(4):  # keep the long tail below the biggest county
                w = np.minimum(w * rest, ceiling) / rest
                w /= w.sum()
            p[free] = np.maximum(np.round(w * rest), 90)
        return p.astype(np.int64)

    # ---- curves

    def _make_curves(self) -> None:
        spec, u, rng = self.spec, self.units, self.rng
        k = self.stretch
        n = len(u.fips)
        # NYT: a jurisdiction appears on its first case (Washington on 2020-01-21). American
        # Samoa never has one. Spans in unstretched days, so x10 keeps the same shape.
        nyt_states = [s for s in self.states if s.abbr != "AS"]
        window = spec.nyt_days // k
        full_span = (date(2020, 5, 9) - date(2020, 1, 21)).days + 1  # real first-case offsets
        # Spans count back from the NYT window's end, 2020-05-09 at every scale.
        fixed = {i: full_span - _NYT_FIRST_CASE[s.abbr] for i, s in enumerate(nyt_states)
                 if s.abbr in _NYT_FIRST_CASE}
        total = None if spec.nyt_state_rows is None else spec.nyt_state_rows // k
        spans = _spans(rng, len(nyt_states), window, total, lo=full_span - 56, fixed=fixed,
                       hi=full_span - 38)  # first cases 2020-02-28 .. 2020-03-17
        nyt_end = self.day_index(spec.nyt_start) + spec.nyt_days - 1
        onset_of = {s.abbr: nyt_end - fixed.get(i, int(span)) * k + 1
                    for i, (s, span) in enumerate(zip(nyt_states, spans, strict=False))}
        onset_of["AS"] = self.n_days + 1

        # Per-state wave parameters, drawn from the state's own stream.
        params = {}
        for st in self.states:
            r = self._srng(2, st)
            a1, m1, w1 = _SPRING.get(st.abbr, (0.003 * r.lognormal(0, 0.4), r.uniform(110, 130),
                                               r.uniform(10, 16)))
            m1 += r.uniform(-2, 2)
            a2 = _SUMMER.get(st.abbr, 0.006 * r.lognormal(0, 0.3))
            m2, w2 = r.uniform(185, 205), r.uniform(10, 14)
            a3 = 0.065 * _WINTER.get(st.abbr, r.lognormal(0, 0.2))
            m3 = r.uniform(315, 330) if st.abbr in _MIDWEST else r.uniform(338, 355)
            w3 = r.uniform(16, 22)
            cfr = _HIGH_CFR.get(st.abbr, r.uniform(0.015, 0.03))
            params[st.abbr] = (a1, m1, w1, a2, m2, w2, a3, m3, w3, cfr)

        # Per county: size (intensity x population) and delay after its state's first case.
        abbr = np.array([s.abbr for s in u.state], dtype=object)
        intensity = np.ones(n)
        delay = np.zeros(n)
        cfr = np.zeros(n)
        for st in self.states:
            rows = np.flatnonzero(abbr == st.abbr)
            r = self._srng(3, st)
            # drawn for every county of the state, so a county's draw is the same at every scale
            all_fips = [c.fips for c in counties() if c.state is st] or [st.fips]
            draws = dict(zip(all_fips, zip(r.lognormal(0, 0.35, len(all_fips)),
                                           r.exponential(1.0, len(all_fips)),
                                           r.lognormal(0, 0.2, len(all_fips)), strict=False), strict=False))
            for i in rows:
                g, e, c = draws[u.fips[i]]
                intensity[i] = g
                small = 1 - self._rank.get(u.fips[i], 1.0)  # 0 for the largest county
                delay[i] = 0 if u.lead[i] else e * (2 + 25 * small ** 2)
                cfr[i] = params[st.abbr][9] * c
        onset = np.array([onset_of[a] for a in abbr]) + np.round(delay * k).astype(np.int64)

        t = np.arange(self.n_days, dtype=float)[None, :] - (delay * k)[:, None]
        p = np.array([params[a] for a in abbr])
        size = u.population * intensity
        shape = np.zeros((n, self.n_days))
        for a, m, w in ((0, 1, 2), (3, 4, 5), (6, 7, 8)):
            mid = self.cal_index(p[:, m])[:, None]
            shape += p[:, a, None] * _logistic((t - mid) / (p[:, w, None] * k))
        cases = np.floor(size[:, None] * shape)
        cases[np.arange(self.n_days)[None, :] < onset[:, None]] = 0
        lead_rows = u.lead[:, None] & (np.arange(self.n_days)[None, :] >= onset[:, None])
        cases = np.where(lead_rows, np.maximum(cases, 1), cases)
        self.cases = np.maximum.accumulate(cases, axis=1).astype(np.int64)
        # Deaths follow cases 9 days later; the spring's fatality rate, then a lower one.
        lagged = _shift(self.cases, 9 * k)
        cap = lagged[:, min(self.n_days - 1, max(0, int(self.cal_index(180))))][:, None]
        late = 0.015 * cfr / np.array([params[a][9] for a in abbr])
        self.deaths = np.floor(np.minimum(lagged, cap) * np.minimum(cfr, 0.2)[:, None]
                               + np.maximum(lagged - cap, 0) * late[:, None]).astype(np.int64)
        self.onset = onset
        self.abbr = abbr

        # NYT rows without fips: 'Unknown' shares of a state, Kansas City and Joplin taken out of
        # their counties (NYT reports them apart), the territories' only row.
        self.nyt_extra: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}
        self.nyt_cases = self.cases.copy()
        self.nyt_deaths = self.deaths.copy()
        self.state_truth: dict[str, np.ndarray] = {}
        self.state_truth_deaths: dict[str, np.ndarray] = {}
        for st in self.states:
            rows = abbr == st.abbr
            c, d = self.cases[rows].sum(axis=0), self.deaths[rows].sum(axis=0)
            self.state_truth[st.abbr], self.state_truth_deaths[st.abbr] = c, d
            extra = []
            for name, fips, share in (("Kansas City", "29095", 0.5), ("Joplin", "29097", 0.35)):
                i = np.flatnonzero(u.fips == fips)
                if st.abbr == "MO" and len(i):
                    kc = np.floor(self.cases[i[0]] * share).astype(np.int64)
                    kd = np.floor(self.deaths[i[0]] * share).astype(np.int64)
                    self.nyt_cases[i[0]] -= kc
                    self.nyt_deaths[i[0]] -= kd
                    extra.append((name, kc, kd))
            r = self._srng(4, st)
            share, dshare = r.uniform(0.002, 0.03), r.uniform(0.0, 0.02)
            if not st.is_territory and st.abbr != "DC" and r.random() < 0.55:
                uc = np.floor(c * share).astype(np.int64)
                ud = np.floor(d * dshare).astype(np.int64)
                extra.append(("Unknown", uc, ud))
            self.nyt_extra[st.abbr] = extra
            # NYT's state truth: what its county file holds, Unknown included
            self.state_truth[st.abbr] = c + sum((x[1] for x in extra if x[0] == "Unknown"), 0)
            self.state_truth_deaths[st.abbr] = d + sum((x[2] for x in extra
                                                        if x[0] == "Unknown"), 0)

    def _jhu_county_values(self) -> tuple[np.ndarray, np.ndarray]:
        """JHU per unit: a few percent off NYT, and a day behind in some states."""
        u, rng = self.units, self.rng
        lag_of = {s.abbr: int(rng.random() < 0.35) * self.stretch for s in self.states}
        lag = np.array([lag_of[a] for a in self.abbr])
        off = rng.uniform(-0.02, 0.05, len(u.fips))
        c = np.floor(_shift(self.cases, lag) * (1 + off)[:, None]).astype(np.int64)
        d = np.minimum(np.floor(_shift(self.deaths, lag) * (1 + off)[:, None]).astype(np.int64), c)
        return c, d

    def _pick_corrections(self) -> list[tuple[str, date]]:
        u, spec = self.units, self.spec
        c = self.jhu_county[0]
        day = self.county_start + 20 * self.stretch
        out, used = [], set()
        for i in np.argsort(-u.population, kind="stable"):
            st = u.state[i]
            if (not u.is_county[i] or st.abbr in used or st.abbr == "PR"
                    or u.fips[i] in _QUIRK_COUNTIES):
                continue
            if c[i, day] > c[i, day - 1]:
                out.append((str(u.fips[i]), self.days[day].date()))
                used.add(st.abbr)
            if len(out) == spec.n_corrections:
                break
        return out

    def _pick_non_us_regions(self) -> list[tuple[str, str, float, float]]:
        regions = list(NON_US_REGIONS)
        known = {c for _, c, _, _ in regions}
        for a2, name in _iso_countries():
            if name not in known and name not in _US_AREAS and a2 not in _JHU_RENAMED:
                regions.append(("", name, round(float(self.rng.uniform(-40, 60)), 4),
                                round(float(self.rng.uniform(-120, 150)), 4)))
        if self.spec.jhu_non_us_regions is not None:
            must = [r for r in regions if r[0] in _SMALL_NON_US or r[1] in _SMALL_NON_US]
            others = [r for r in regions if r not in must]
            regions = must + others[: self.spec.jhu_non_us_regions - len(must)]
        return regions

    # ---- JHU

    def enigma_jhu(self) -> pd.DataFrame:
        spec, u, rng, k = self.spec, self.units, self.rng, self.stretch
        start = self.day_index(spec.jhu_start)
        end = start + spec.jhu_days - 1
        cs = self.county_start
        jc, jd = self.jhu_county[0].copy(), self.jhu_county[1]
        for f, d in self.corrections:
            i, t = int(np.flatnonzero(u.fips == f)[0]), self.day_index(d)
            drop = jc[i, t] - jc[i, t - 1] + max(1, jc[i, t] // 10)
            jc[i, t:] = np.maximum(jc[i, t:] - drop, 0)
        jd = np.minimum(jd, jc)
        days = np.arange(cs, end + 1)
        nd = len(days)
        sheet_day = np.zeros(self.n_days, dtype=bool)
        sheet_day[[cs + o for o in _SHEET_DAYS if cs + o <= end]] = True
        pub = rng.integers(22 * 3600, 24 * 3600 - 120, self.n_days)  # the US report's time
        names = jhu_names(counties())
        frames: list[pd.DataFrame] = []

        def add(day, fips, admin2, prov, country, lat, lon, conf, deaths, rec, key, sec,
                order=0, sday=None):
            m = len(day)
            frames.append(pd.DataFrame({
                "_day": day, "fips": np.broadcast_to(np.asarray(fips, dtype=object), (m,)),
                "admin2": np.broadcast_to(np.asarray(admin2, dtype=object), (m,)),
                "province_state": np.broadcast_to(np.asarray(prov, dtype=object), (m,)),
                "country_region": np.broadcast_to(np.asarray(country, dtype=object), (m,)),
                "_lat": np.broadcast_to(np.asarray(lat, dtype=float), (m,)),
                "_lon": np.broadcast_to(np.asarray(lon, dtype=float), (m,)),
                "confirmed": np.broadcast_to(np.asarray(conf, dtype=np.int64), (m,)),
                "deaths": np.broadcast_to(np.asarray(deaths, dtype=np.int64), (m,)),
                "recovered": np.broadcast_to(np.asarray(rec, dtype=np.int64), (m,)),
                "combined_key": np.broadcast_to(np.asarray(key, dtype=object), (m,)),
                "_sec": np.broadcast_to(np.asarray(sec, dtype=np.int64), (m,)),
                "_sday": day if sday is None else np.broadcast_to(sday, (m,)),
                "_order": np.broadcast_to(np.asarray(order, dtype=np.int64), (m,)),
            }))

        # US counties; New York City's boroughs as one row under 36061 (Puerto Rico's municipios
        # are absent: it reports at state level).
        nyc = np.isin(u.fips, list(NYC_BOROUGHS))
        plain = np.flatnonzero(u.is_county & ~nyc & (self.abbr != "PR"))
        special = {"29095", "35013", "48201", "25007", "25019"}
        regular = np.array([i for i in plain if u.fips[i] not in special], dtype=np.int64)
        ci, di = np.repeat(regular, nd), np.tile(days, len(regular))
        extra = rng.choice(len(ci), size=min(spec.jhu_extra_reports, len(ci)), replace=False)
        extra = np.sort(extra)
        admin2 = np.array([names.get(f, "") for f in u.fips], dtype=object)
        pname = np.array([s.name for s in u.state], dtype=object)
        add(di, u.fips[ci], admin2[ci], pname[ci], "US", u.lat[ci], u.lon[ci], jc[ci, di],
            jd[ci, di], 0, admin2[ci] + ", " + pname[ci] + ", US", pub[di])
        e_ci, e_di = ci[extra], di[extra]
        prev = jc[e_ci, e_di - 1]
        add(e_di, u.fips[e_ci], admin2[e_ci], pname[e_ci], "US", u.lat[e_ci], u.lon[e_ci], prev,
            np.minimum(jd[e_ci, e_di - 1], prev), 0,
            admin2[e_ci] + ", " + pname[e_ci] + ", US", pub[e_di] // 2, order=1)
        if nyc.any():
            i = int(np.flatnonzero(u.fips == "36061")[0])
            add(days, "36061", "New York City", "New York", "US", u.lat[i], u.lon[i],
                jc[nyc].sum(axis=0)[days], jd[nyc].sum(axis=0)[days], 0,
                "New York City, New York, US", pub[days])

        def unit(fips: str) -> int | None:
            i = np.flatnonzero(u.fips == fips)
            return int(i[0]) if len(i) else None

        off = days - cs
        if (i := unit("29095")) is not None:  # Kansas City reported apart from Jackson
            kc_c, kc_d = np.floor(jc[i] * 0.5).astype(np.int64), np.floor(jd[i] * 0.5).astype(np.int64)
            add(days, "29095", "Jackson", "Missouri", "US", u.lat[i], u.lon[i],
                (jc[i] - kc_c)[days], (jd[i] - kc_d)[days], 0, "Jackson, Missouri, US", pub[days])
            add(days, "", "Kansas City", "Missouri", "US", 39.0997, -94.5786, kc_c[days],
                kc_d[days], 0, "Kansas City,Missouri,US", pub[days])
        if (i := unit("35013")) is not None:  # Doña Ana / Dona Ana
            c, d = jc[i][days], jd[i][days]
            early = off < min(_DONA_ANA_BOTH)
            add(days[early], "35013", "Doña Ana", "New Mexico", "US", u.lat[i], u.lon[i],
                c[early], d[early], 0, "Doña Ana, New Mexico, US", pub[days[early]])
            both = np.isin(off, _DONA_ANA_BOTH)
            add(days[both], "35013", "Dona Ana", "New Mexico", "US", u.lat[i], u.lon[i], c[both],
                d[both], 0, "Dona Ana,New Mexico,US", pub[days[both]])
            zero = np.isin(off, _DONA_ANA_BOTH + _SHEET_DAYS)
            add(days[zero], "35013", "Doña Ana", "New Mexico", "US", u.lat[i],
                round(u.lon[i] + 1e-14, 14), 0, 0, 0, "Doña Ana, New Mexico, US", pub[days[zero]])
            late = off > max(_DONA_ANA_BOTH)
            add(days[late], "", "Dona Ana", "New Mexico", "US", u.lat[i], u.lon[i], c[late],
                d[late], 0, "Dona Ana,New Mexico,US", pub[days[late]])
        if (i := unit("48201")) is not None:  # Harris, Texas: no fips, no coordinates one day
            c, d = jc[i][days], jd[i][days]
            odd = off == _HARRIS_NO_FIPS
            add(days[~odd], "48201", "Harris", "Texas", "US", u.lat[i], u.lon[i], c[~odd],
                d[~odd], 0, "Harris, Texas, US", pub[days[~odd]])
            add(days[odd], "", "Harris", "Texas", "US", np.nan, np.nan, c[odd], d[odd], 0,
                "Harris,Texas,US", pub[days[odd]])
        dukes, nant = unit("25007"), unit("25019")
        if dukes is not None and nant is not None:  # JHU: Dukes and Nantucket together
            listed = off <= max(_SHEET_DAYS)
            add(days[listed], "25007", "Dukes", "Massachusetts", "US", u.lat[dukes],
                u.lon[dukes], 0, 0, 0, "Dukes, Massachusetts, US", pub[days[listed]])
            add(days, "", "Dukes and Nantucket", "Massachusetts", "US", u.lat[dukes],
                u.lon[dukes], (jc[dukes] + jc[nant])[days], (jd[dukes] + jd[nant])[days], 0,
                "Dukes and Nantucket,Massachusetts,US", pub[days])

        # Unassigned and Out of XX: empty fips, coordinates 0.
        us_total = np.zeros(self.n_days, dtype=np.int64)
        for st in self.states:
            truth, dtruth = self.state_truth[st.abbr], self.state_truth_deaths[st.abbr]
            us_total += truth
            if st.is_territory or st.abbr == "DC":
                continue
            r = self._srng(5, st)
            forced = st.abbr in ("NY", "MI", "MA", "WA")
            if forced or r.random() < 0.5:
                cshare = 0.0 if st.abbr == "NY" or r.random() < 0.25 else r.uniform(0.001, 0.02)
                dshare = r.uniform(0.01, 0.05)
                sep = "," if st.abbr == "MI" else ", "
                add(days, "", "Unassigned", st.name, "US", 0.0, 0.0,
                    np.floor(truth * cshare).astype(np.int64)[days],
                    np.floor(dtruth * dshare).astype(np.int64)[days], 0,
                    f"Unassigned{sep}{st.name}{sep}US", pub[days])
            if st.abbr in _OUT_OF:
                share = r.uniform(0.003, 0.02)
                add(days, "", f"Out of {st.abbr}", st.name, "US", 0.0, 0.0,
                    np.floor(truth * share).astype(np.int64)[days], 0, 0,
                    f"Out of {st.abbr},{st.name},US", pub[days])

        # Territories (state level, synthetic 5-digit fips), Puerto Rico (state level, no fips),
        # the two cruise ships and 'Recovered, US'.
        for st in self.states:
            if st.abbr in JHU_TERRITORY_FIPS:
                i = int(np.flatnonzero(u.fips == st.fips)[0])
                add(days, JHU_TERRITORY_FIPS[st.abbr], "", st.name, "US", st.lat, st.lon,
                    jc[i][days], jd[i][days], 0, f"{st.name}, US", pub[days])
        if "PR" in self.state_truth:
            pr = STATE_BY_ABBR["PR"]
            pdays = np.arange(end - spec.jhu_pr_days + 1, end + 1)
            rows = self.abbr == "PR"
            add(pdays, "", "", pr.name, "US", pr.lat, pr.lon, jc[rows].sum(axis=0)[pdays],
                jd[rows].sum(axis=0)[pdays], 0, "Puerto Rico, US", pub[pdays])
        grand = np.minimum(21 + np.maximum(off, 0) * 82 // max(1, 6 * k), 103)
        add(days, "88888", "", "Diamond Princess", "US", 0.0, 0.0, np.full(nd, 49) - (off < 2),
            0, 0, "Diamond Princess, US", pub[days])
        add(days, "99999", "", "Grand Princess", "US", 0.0, 0.0, grand, (grand > 60) * 3, 0,
            "Grand Princess, US", pub[days])
        add(days, "", "", "Recovered", "US", 0.0, 0.0, 0, 0,
            np.floor(_shift(us_total[None, :], 14 * k)[0] * 0.12).astype(np.int64)[days],
            "Recovered, US", pub[days])

        us = pd.concat(frames, ignore_index=True)
        us["active"] = 0  # JHU does not compute Active for US rows
        us_rows = len(us)

        # Non-US regions: no fips; their rows fill what the US rows leave of the target.
        r = len(self.regions)
        target = None if spec.jhu_rows is None else spec.jhu_rows - us_rows
        spans = _spans(rng, r, spec.jhu_days, target, lo=max(1, spec.jhu_days // 5))
        size = rng.lognormal(7.5, 2, r)
        mid = self.cal_index(rng.uniform(80, 125, r)) - start
        width = rng.uniform(8, 15, r) * k
        for j, (p_, c_, _, _) in enumerate(self.regions):  # the big early ones
            if (p_ or c_) in _BIG_REGIONS:
                size[j], mid[j] = _BIG_REGIONS[p_ or c_][0], self.cal_index(
                    _BIG_REGIONS[p_ or c_][1]) - start
            elif c_ == "China":
                size[j], mid[j] = rng.uniform(100, 1500), self.cal_index(rng.uniform(30, 40)) - start
        t = np.arange(spec.jhu_days)[None, :]
        curves = np.floor(size[:, None] * _logistic((t - mid[:, None]) / width[:, None]))
        curves = np.maximum.accumulate(np.maximum(curves, 1), axis=1).astype(np.int64)
        prov = np.array([x[0] for x in self.regions], dtype=object)
        country = np.array([x[1] for x in self.regions], dtype=object)
        china = (country == "China") & ~np.isin(prov, ("Hubei", "Hong Kong", "Beijing",
                                                       "Guangdong"))
        freeze = np.where(china, rng.integers(0, max(1, spec.jhu_days // 3), r), spec.jhu_days)
        frozen_sec = rng.integers(3600, 20 * 3600, r)
        ri = np.repeat(np.arange(r), spans)
        offs = np.concatenate([np.arange(spec.jhu_days - s, spec.jhu_days) for s in spans])
        eff = np.minimum(offs, freeze[ri])
        c = curves[ri, eff]
        d = np.floor(c * 0.04).astype(np.int64)
        rec = np.floor(_shift(curves, 14 * k)[ri, eff] * 0.5).astype(np.int64)
        recovered_row = prov[ri] == "Recovered"
        c, d = np.where(recovered_row, 0, c), np.where(recovered_row, 0, d)
        stale = offs > freeze[ri]
        sec = np.where(stale, frozen_sec[ri], pub[start + offs] - rng.integers(5, 900, len(ri)))
        key = np.where(prov[ri] == "", country[ri], prov[ri] + ", " + country[ri])
        key[country[ri] == "MS Zaandam"] = ",,MS Zaandam"
        frames = [us]
        add(start + offs, "", "", prov[ri], country[ri],
            np.array([x[2] for x in self.regions])[ri], np.array([x[3] for x in self.regions])[ri],
            c, d, rec, key, sec, sday=start + np.minimum(offs, freeze[ri]))
        frames[-1]["active"] = c - d - rec
        df = pd.concat(frames, ignore_index=True)

        # Sort as the daily reports are: by Admin2, then Province_State, then Country (empty
        # last), with the earlier of two reports of one county after the later one.
        keys = []
        for c in ("country_region", "province_state", "admin2"):
            v = df[c].to_numpy(dtype=object)
            codes = pd.factorize(v, sort=True)[0]
            keys += [codes, v == ""]  # lexsort: the last key is the primary one
        order = np.lexsort([df["_order"].to_numpy(), *keys, df["_day"].to_numpy()])
        df = df.iloc[order].reset_index(drop=True)
        sheet = sheet_day[df["_day"].to_numpy()]
        fips = df["fips"].to_numpy(dtype=object).copy()
        strip = sheet & (fips != "") & np.array([f.startswith("0") for f in fips])
        fips[strip] = np.array([f[1:] for f in fips[strip]], dtype=object)
        df["fips"] = fips
        df["latitude"] = _num_text(df["_lat"].to_numpy(), sheet)
        df["longitude"] = _num_text(df["_lon"].to_numpy(), sheet)
        df["last_update"] = _jhu_stamps(self.days, df["_sday"].to_numpy(),
                                        df["_sec"].to_numpy(), sheet)
        return df[list(BY_NAME["enigma_jhu"].columns)]

    # ---- NYT

    def _nyt_days(self) -> np.ndarray:
        start = self.day_index(self.spec.nyt_start)
        return np.arange(start, start + self.spec.nyt_days)

    def us_county(self) -> pd.DataFrame:
        u, days = self.units, self._nyt_days()
        rows = []
        nyc = np.isin(u.fips, list(NYC_BOROUGHS))
        plain = np.flatnonzero(u.is_county & ~nyc & (self.abbr != "PR"))
        ci, di = np.repeat(plain, len(days)), np.tile(days, len(plain))
        keep = self.nyt_cases[ci, di] > 0
        ci, di = ci[keep], di[keep]
        cname = np.array([nyt_name(n) for n in u.official], dtype=object)
        rows.append(pd.DataFrame({
            "_day": di, "county": cname[ci],
            "state": np.array([s.name for s in u.state], dtype=object)[ci], "fips": u.fips[ci],
            "cases": self.nyt_cases[ci, di], "deaths": self.nyt_deaths[ci, di],
        }))

        def fipsless(name: str, st: State, cases: np.ndarray, deaths: np.ndarray) -> None:
            keep = cases[days] > 0
            rows.append(pd.DataFrame({
                "_day": days[keep], "county": name, "state": st.name, "fips": "",
                "cases": cases[days][keep], "deaths": deaths[days][keep],
            }))

        for st in self.states:
            if st.abbr == "NY" and nyc.any():
                fipsless("New York City", st, self.cases[nyc].sum(axis=0),
                         self.deaths[nyc].sum(axis=0))
            for name, cases, deaths in self.nyt_extra[st.abbr]:
                fipsless(name, st, cases, deaths)
            if st.is_territory:  # NYT has no county breakdown for the territories
                fipsless("Unknown", st, self.state_truth[st.abbr],
                         self.state_truth_deaths[st.abbr])
        df = pd.concat(rows, ignore_index=True)
        df = df.sort_values(["_day", "state", "county"], kind="stable", ignore_index=True)
        df.insert(0, "date", _fmt_dates(self.days, "%Y-%m-%d")[df["_day"].to_numpy()])
        return df.drop(columns="_day")

    def us_states(self) -> pd.DataFrame:
        """NYT state totals, captured at another time than the county file: part of the next
        day's increase already in, or part of the day's own increase not yet in; and each
        state revised by its own small factor."""
        days, frames, rng = self._nyt_days(), [], self.rng
        for st in self.states:
            out = []
            for truth in (self.state_truth[st.abbr], self.state_truth_deaths[st.abbr]):
                nxt = np.append(truth[1:], truth[-1])
                prev = np.append(0, truth[:-1])
                alpha = rng.uniform(-0.35, 0.5, len(truth)) * (truth > 0)
                factor = 1 + rng.uniform(-0.01, 0.01)
                moved = np.where(alpha >= 0, alpha * (nxt - truth), alpha * (truth - prev))
                v = np.ceil((truth + moved) * factor - 1e-9)
                out.append(np.maximum.accumulate(v).astype(np.int64))
            c, d = out[0][days], np.minimum(out[1][days], out[0][days])
            keep = c > 0
            frames.append(pd.DataFrame({
                "_day": days[keep], "state": st.name, "fips": st.fips, "cases": c[keep],
                "deaths": d[keep],
            }))
        df = pd.concat(frames, ignore_index=True)
        df = df.sort_values(["_day", "state"], kind="stable", ignore_index=True)
        df.insert(0, "date", _fmt_dates(self.days, "%Y-%m-%d")[df["_day"].to_numpy()])
        return df.drop(columns="_day")

    # ---- COVID Tracking

    def states_daily(self) -> pd.DataFrame:
        spec, rng, k = self.spec, self.rng, self.stretch
        n = len(self.states)
        fixed = {i: spec.sd_days for i, s in enumerate(self.states) if s.abbr == "WA"}
        spans = _spans(rng, n, spec.sd_days, spec.sd_rows, lo=int(spec.sd_days * 0.85),
                       fixed=fixed)
        start = self.day_index(spec.sd_start)
        end = start + spec.sd_days - 1
        cols = {c: [] for c in ("_day", "state", "fips", "_mod", "_src")}
        values: dict[str, list[np.ndarray]] = {}
        down = rng.choice(n, size=min(n, 3), replace=False)  # states that revise counts down

        def put(name: str, arr, reported: np.ndarray | None = None) -> None:
            arr = np.asarray(arr, dtype=float)
            if reported is not None:
                arr = np.where(reported, arr, np.nan)
            values.setdefault(name, []).append(arr)

        for j, (st, span) in enumerate(zip(self.states, spans, strict=False)):
            r = self._srng(6, st)
            days = np.arange(end - span + 1, end + 1)
            m = len(days)
            age = np.arange(m)
            lag = (1 if r.random() < 0.6 else 0) * k
            pos = np.ceil(_shift(self.state_truth[st.abbr][None, :], lag)[0][days]
                          * (1 + r.uniform(-0.03, 0.04)) - 1e-9)
            death = np.ceil(_shift(self.state_truth_deaths[st.abbr][None, :], lag)[0][days]
                            * (1 + r.uniform(-0.03, 0.03)) - 1e-9)
            death = np.minimum(death, pos)
            neg = np.floor(r.uniform(20, 400) * (age / k + 1) ** 1.35) + 6 * pos
            hosp_cur = np.floor(np.maximum(pos - np.append(np.zeros(14 * k), pos)[:m], 0)
                                * r.uniform(0.03, 0.08))
            hosp_cum = np.floor(pos * r.uniform(0.08, 0.14))
            if j in down:  # a count revised down once: negative increments
                at = int(r.integers(m // 3, max(m // 3 + 1, m - 1)))
                neg[at:] -= np.floor(neg[at] * 0.03)
                hosp_cum[at:] = np.maximum(hosp_cum[at:] - max(1, hosp_cum[at] // 10), 0)
            pending = r.integers(0, 500, m).astype(float)
            src = _TEST_SOURCES[int(r.choice(4, p=[0.52, 0.25, 0.2, 0.03]))]
            factor = {"totalTestsViral": 1.0, "totalTestEncountersViral": 1.06, "posNeg": 1.0,
                      "totalTestsPeopleViral": 0.93}[src]
            ttr = np.floor((pos + neg) * factor)
            icu = np.floor(hosp_cur * 0.25)
            vent = np.floor(icu * 0.35)

            def since(p_never: float, r=r, m=m, age=age) -> np.ndarray:
                if r.random() < p_never:
                    return np.zeros(m, dtype=bool)
                return age >= r.integers(0, max(1, m // 3))

            no_cum = st.abbr == "NY"  # NY reports only hospitalizedCurrently
            r_cum = since(0.3) & (not no_cum)
            early_as = (st.abbr == "AS") & (age < 6 * k)  # AS: empty positive/negative at first
            put("positive", pos, ~early_as)
            put("probableCases", np.floor(pos * 0.05), since(0.0) & (st.abbr in _PROBABLE))
            put("negative", neg, ~early_as & (not no_cum))
            put("pending", pending, since(0.8))
            put("totalTestResults", np.where(early_as, 0, ttr))
            put("hospitalizedCurrently", hosp_cur, since(0.1))
            put("hospitalizedCumulative", hosp_cum, r_cum)
            put("inIcuCurrently", icu, since(0.4))
            put("inIcuCumulative", np.floor(hosp_cum * 0.2), since(0.7))
            put("onVentilatorCurrently", vent, since(0.5))
            put("onVentilatorCumulative", np.floor(hosp_cum * 0.07), since(0.85))
            put("recovered", np.floor(np.append(np.zeros(21 * k), pos)[:m] * 0.6), since(0.3))
            put("death", death)
            put("hospitalized", hosp_cum, r_cum)
            put("hospitalizedDischarged", np.floor(hosp_cum * 0.5),
                since(0.0) & (st.abbr in ("NY", "RI")) & (age > m - 30 * k))
            put("totalTestsViral", ttr, since(0.0) & (src == "totalTestsViral"))
            put("positiveTestsViral", pos, since(0.7))
            put("negativeTestsViral", neg, since(0.8))
            put("positiveCasesViral", pos, since(0.3))
            conf = since(0.6)
            put("deathConfirmed", np.floor(death * 0.92), conf)
            put("deathProbable", death - np.floor(death * 0.92), conf)
            put("totalTestEncountersViral", ttr, since(0.0) & (src == "totalTestEncountersViral"))
            put("totalTestsPeopleViral", np.floor((pos + neg) * 0.93),
                since(0.0) & (src == "totalTestsPeopleViral"))
            put("totalTestsAntibody", np.zeros(m), np.full(m, st.abbr == "AZ"))
            put("totalTestsAntigen", 18 + age // (3 * k), np.full(m, st.abbr == "VA"))
            put("positiveTestsAntigen", 1 + age // (7 * k), np.full(m, st.abbr == "VA"))
            cols["_day"].append(days), cols["state"].append(np.full(m, st.abbr, dtype=object))
            cols["fips"].append(np.full(m, st.fips, dtype=object))
            cols["_src"].append(np.full(m, src, dtype=object))
            # The state's last update: usually the afternoon before the date, stale some days.
            stale = np.where(r.random(m) < 0.1, r.integers(1, 4, m), 0) * 24 * 60
            cols["_mod"].append(r.integers(-11 * 60, 14 * 60, m) - stale)

        df = pd.DataFrame({c: np.concatenate(v) for c, v in cols.items()})
        for name, parts in values.items():
            df[name] = pd.array(np.concatenate(parts), dtype="Int64")
        df["totalTestResultsSource"] = df.pop("_src")
        # Increments: day over day within each state (the first row: the value itself).
        g = df.groupby("state", sort=False)
        for inc, base in (("positiveIncrease", "positive"), ("negativeIncrease", "negative"),
                          ("totalTestResultsIncrease", "totalTestResults"),
                          ("deathIncrease", "death"),
                          ("hospitalizedIncrease", "hospitalizedCumulative")):
            prev = g[base].shift(1).fillna(0)
            df[inc] = (df[base].fillna(0) - prev).astype("Int64")
        days = self.days[df["_day"].to_numpy()]
        mod = days + pd.to_timedelta(df["_mod"].to_numpy(), unit="min")
        df["date"] = np.asarray(days.strftime("%Y%m%d"), dtype=object)
        df["lastUpdateEt"] = np.array([f"{d.month}/{d.day}/{d.year} {d:%H:%M}" for d in mod],
                                      dtype=object)
        df["dateModified"] = np.asarray(mod.strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)
        df["checkTimeEt"] = np.asarray((mod - pd.Timedelta(hours=4)).strftime("%m/%d %H:%M"),
                                       dtype=object)
        df["dateChecked"] = df["dateModified"]
        df["total"] = df["positive"].fillna(0) + df["negative"].fillna(0) + df["pending"].fillna(0)
        df["posNeg"] = df["positive"].fillna(0) + df["negative"].fillna(0)
        for c in ("dataQualityGrade", "grade"):
            df[c] = ""
        for c in ("commercialScore", "negativeRegularScore", "negativeScore", "positiveScore",
                  "score"):
            df[c] = 0
        for c in ("positiveTestsAntibody", "negativeTestsAntibody", "totalTestsPeopleAntibody",
                  "positiveTestsPeopleAntibody", "negativeTestsPeopleAntibody",
                  "totalTestsPeopleAntigen", "positiveTestsPeopleAntigen"):
            df[c] = pd.array([pd.NA] * len(df), dtype="Int64")
        df["hash"] = _hashes(df["date"] + df["state"] + _txt(df["positive"])
                             + _txt(df["negative"]) + df["dateModified"])
        df = df.sort_values(["_day", "state"], ascending=[False, True], kind="stable",
                            ignore_index=True)
        return df[list(BY_NAME["states_daily"].columns)]

    def us_daily(self, sd: pd.DataFrame) -> pd.DataFrame:
        """National figures: another revision of the states' numbers (each state's count off by
        a few per mille), so not exactly the sum of states_daily."""
        sums = ["positive", "negative", "pending", "hospitalizedCurrently",
                "hospitalizedCumulative", "inIcuCurrently", "inIcuCumulative",
                "onVentilatorCurrently", "onVentilatorCumulative", "death", "hospitalized",
                "totalTestResults"]
        rng = self.rng
        states = sorted(sd["state"].unique())
        rev = {c: dict(zip(states, 1 + rng.uniform(-0.004, 0.004, len(states)), strict=False)) for c in sums}
        adj = pd.DataFrame({"date": sd["date"]})
        for c in sums:
            f = sd["state"].map(rev[c]).to_numpy(dtype=float)
            adj[c] = np.floor(sd[c].to_numpy(dtype=float, na_value=np.nan) * f)
        g = adj.groupby("date", sort=True)
        df = g[sums].sum(min_count=1)
        df["states"] = g.size()
        df = df.reset_index()
        for inc, base in (("deathIncrease", "death"),
                          ("hospitalizedIncrease", "hospitalizedCumulative"),
                          ("negativeIncrease", "negative"), ("positiveIncrease", "positive"),
                          ("totalTestResultsIncrease", "totalTestResults")):
            df[inc] = df[base].fillna(0).diff().fillna(df[base].fillna(0))
        for c in sums + ["deathIncrease", "hospitalizedIncrease", "negativeIncrease",
                         "positiveIncrease", "totalTestResultsIncrease", "states"]:
            df[c] = pd.array(df[c].to_numpy(dtype=float), dtype="Int64")
        df["recovered"] = pd.array([pd.NA] * len(df), dtype="Int64")
        df["total"] = 0  # deprecated fields
        df["posNeg"] = 0
        df = df.sort_values("date", ascending=False, ignore_index=True)
        stamp = (df["date"].str[:4] + "-" + df["date"].str[4:6] + "-" + df["date"].str[6:]
                 + "T24:00:00Z")
        df["dateChecked"] = stamp
        df["lastModified"] = stamp
        df["hash"] = _hashes(df["date"] + _txt(df["positive"]) + _txt(df["death"]))
        return df[list(BY_NAME["us_daily"].columns)]

    def us_total_latest(self, us_daily: pd.DataFrame, sd: pd.DataFrame) -> pd.DataFrame:
        """A snapshot taken on the morning of 2020-05-01 (the previous day's figures)."""
        day = "20200430" if (us_daily["date"] == "20200430").any() else us_daily["date"].max()
        row = us_daily[us_daily["date"] == day].copy().reset_index(drop=True)
        row["recovered"] = int(sd.loc[sd["date"] == day, "recovered"].sum())
        row["total"] = row["positive"] + row["negative"] + row["pending"].fillna(0)
        row["posNeg"] = row["positive"] + row["negative"]
        row["lastModified"] = "2020-05-01T09:12:31.891Z" if day == "20200430" else (
            f"{day[:4]}-{day[4:6]}-{day[6:]}T09:12:31.891Z")
        row["hash"] = _hashes(["latest" + day + str(row["positive"][0])])
        row["notes"] = 'NOTE: "total", "posNeg", "hospitalized" will be removed in the future.'
        return row[list(BY_NAME["us_total_latest"].columns)]

    # ---- hospitals and static files

    def hospital_beds(self) -> list[dict]:
        spec, u, rng = self.spec, self.units, self.rng
        county = np.flatnonzero(u.is_county)
        weights = u.population[county] / u.population[county].sum()
        n_fips = spec.hospitals - spec.hospitals_no_fips
        at = np.sort(rng.choice(county, size=n_fips, p=weights))
        territories = [s for s in self.states if s.is_territory and s.abbr in JHU_TERRITORY_FIPS]
        territories = territories or [STATE_BY_ABBR["GU"]]
        types = ["Short Term Acute Care Hospital", "Critical Access Hospital",
                 "Long Term Acute Care Hospital", "Psychiatric Hospital",
                 "Rehabilitation Hospital", "Children's Hospital", "VA Hospital",
                 "Military Hospital"]
        type_p = [0.55, 0.2, 0.05, 0.08, 0.06, 0.03, 0.02, 0.01]
        words = ["General Hospital", "Memorial Hospital", "Regional Medical Center",
                 "Community Hospital", "St. Mary's Hospital", "Mercy Medical Center",
                 "University Hospital", "Baptist Hospital"]
        streets = ["Main St", "Hospital Dr", "Medical Center Blvd", "E Indian School Rd",
                   "S 6th Ave", "N Broadway", "Park Ave", "W 3rd St"]
        places = [(int(i), u.state[i]) for i in at]
        places += [(None, territories[k % len(territories)]) for k in range(spec.hospitals_no_fips)]
        cname = [nyt_name(n) for n in u.official]
        keys = [c.upper() for c in BY_NAME["hospital_beds"].columns]
        keys[keys.index("POTENTIAL_INCREASE_IN_BED_CAPAC")] = "Potential_Increase_In_Bed_Capac"
        keys[keys.index("LATITUDE")], keys[keys.index("LONGTITUDE")] = "latitude", "longtitude"
        m = len(places)
        licensed = rng.integers(10, 900, m)
        staffed = (licensed * rng.uniform(0.6, 1.0, m)).astype(np.int64)
        icu = (staffed * rng.uniform(0.0, 0.15, m)).astype(np.int64)
        adult = (icu * rng.uniform(0.7, 1.0, m)).astype(np.int64)
        nulls = rng.random((m, 7))
        word = rng.integers(0, len(words), m)
        kind = rng.choice(len(types), size=m, p=type_p)
        number, street = rng.integers(1, 9999, m), rng.integers(0, len(streets), m)
        suite = rng.integers(100, 999, m)
        zip_tail = rng.integers(0, 10_000, m)
        util = np.round(rng.uniform(0.2, 0.95, m), 6)
        vent = rng.integers(0, 30, m)
        jitter = rng.uniform(-0.3, 0.3, (m, 2))
        noise = rng.choice([0.0, 7e-14, -5e-14], m)
        out = []
        for j, (i, st) in enumerate(places):
            name = cname[i] if i is not None else None
            city = name if name else st.name
            lat = (u.lat[i] if i is not None else st.lat) + jitter[j, 0]
            lon = (u.lon[i] if i is not None else st.lon) + jitter[j, 1]
            out.append(dict(zip(keys, (
                j + 1,
                f"{city} {words[word[j]]}",
                types[kind[j]],
                f"{number[j]} {streets[street[j]]}",
                None if nulls[j, 0] < 0.945 else f"Suite {suite[j]}",
                city,
                st.abbr,
                # a string that lost its leading zero ('6516' in Connecticut)
                str(int(_zip_prefix(st.abbr) + f"{int(zip_tail[j]):05d}"[len(_zip_prefix(st.abbr)):])),
                name,
                st.name if i is not None else None,
                st.fips if i is not None else None,
                str(u.fips[i])[2:] if i is not None else None,
                str(u.fips[i]) if i is not None else None,
                None if nulls[j, 1] < 0.032 else int(licensed[j]),
                None if nulls[j, 2] < 0.044 else int(staffed[j]),
                int(icu[j]),
                int(adult[j]),
                None if nulls[j, 3] < 0.12 else float(icu[j] - adult[j]),
                None if nulls[j, 4] < 0.11 else float(util[j]),
                None if nulls[j, 5] < 0.023 else float(vent[j]),
                int(licensed[j] - staffed[j]),
                round(float(lat), 7) + float(noise[j]),
                round(float(lon), 7) + float(noise[j]),
            ), strict=False)))
        return out

    def countrycode(self) -> pd.DataFrame:
        rows = []
        for a2, name in sorted(_country_codes(), key=lambda r: r[1]):
            for alt in _COUNTRY_NAMES.get(a2, (name,)):
                rows.append((a2, alt))
        rng = self.rng
        lat = dict(zip([a for a, _ in _country_codes()],
                       rng.integers(-50, 70, len(_country_codes())), strict=False))
        lon = dict(zip([a for a, _ in _country_codes()],
                       rng.integers(-170, 170, len(_country_codes())), strict=False))
        num = {a: str(4 * (k + 1)) for k, (a, _) in enumerate(sorted(_country_codes(),
                                                                      key=lambda r: r[1]))}
        return pd.DataFrame({
            "Country": [name for _, name in rows],
            "Alpha-2 code": [a2 for a2, _ in rows],
            "Alpha-3 code": [_alpha3(a2, _COUNTRY_NAMES.get(a2, (name,))[0]) for a2, name in rows],
            "Numeric code": [num[a2] for a2, _ in rows],
            "Latitude": [lat[a2] for a2, _ in rows],
            "Longitude": [lon[a2] for a2, _ in rows],
        })

    def countypopulation(self) -> pd.DataFrame:
        u = self.units
        idx = np.flatnonzero(u.is_county)
        return pd.DataFrame({
            "Id": ["0500000US" + str(f) for f in u.fips[idx]],
            "Id2": [str(int(f)) for f in u.fips[idx]],  # leading zeros lost
            "County": [population_file_name(u.official[i]) for i in idx],
            "State": [u.state[i].name for i in idx],
            "Population Estimate 2018": u.population[idx],
        })

    def state_abv(self) -> pd.DataFrame:
        states = [s for s in STATES if not s.is_territory]
        return pd.DataFrame({"State": [s.name for s in states],
                             "Abbreviation": [s.abbr for s in states]})


def _fmt_dates(days: pd.DatetimeIndex, fmt: str) -> np.ndarray:
    return np.asarray(days.strftime(fmt), dtype=object)


def _jhu_stamps(days: pd.DatetimeIndex, sday: np.ndarray, sec: np.ndarray,
                sheet: np.ndarray) -> np.ndarray:
    """'2020-03-25 23:33:19', or '3/28/20 23:05' on the spreadsheet-edited days."""
    codes, uniq = pd.factorize((sday * 86_400 + sec) * 2 + sheet)
    text = []
    for v in uniq:
        v, us_style = divmod(int(v), 2)
        d, s = days[v // 86_400], v % 86_400
        hh, mm, ss = s // 3600, s % 3600 // 60, s % 60
        text.append(f"{d.month}/{d.day}/{d:%y} {hh}:{mm:02d}" if us_style
                    else f"{d:%Y-%m-%d} {hh:02d}:{mm:02d}:{ss:02d}")
    return np.array(text, dtype=object)[codes]


# Non-US regions with their real-ish size and the day (after 2020-01-01) of their mid-point.
_BIG_REGIONS = {"Hubei": (68_000, 36), "Italy": (235_000, 92), "Spain": (240_000, 92),
                "Germany": (180_000, 94), "France": (150_000, 95), "Iran": (135_000, 95),
                "United Kingdom": (260_000, 108), "Korea, South": (11_000, 62),
                "Turkey": (150_000, 110), "Belgium": (57_000, 105), "Brazil": (900_000, 160),
                "Russia": (500_000, 135), "India": (900_000, 180), "Quebec": (55_000, 115),
                "Ontario": (35_000, 115), "Diamond Princess": (712, 45),
                "Netherlands": (47_000, 100), "Switzerland": (31_000, 92)}

# The first digits of each state's ZIP codes (a leading 0 in the north-east and Puerto Rico).
_ZIP_ZERO = {"CT": "06", "MA": "01", "ME": "04", "NH": "03", "NJ": "07", "RI": "02", "VT": "05",
             "PR": "009", "VI": "008"}


def _zip_prefix(abbr: str) -> str:
    return _ZIP_ZERO.get(abbr) or str(_ZIP_FIRST.get(abbr, 9))


_ZIP_FIRST = {
              **{a: 1 for a in ("NY", "PA", "DE")},
              **{a: 2 for a in ("DC", "MD", "VA", "WV", "NC", "SC")},
              **{a: 3 for a in ("AL", "FL", "GA", "MS", "TN")},
              **{a: 4 for a in ("IN", "KY", "MI", "OH")},
              **{a: 5 for a in ("IA", "MN", "MT", "ND", "SD", "WI")},
              **{a: 6 for a in ("IL", "KS", "MO", "NE")},
              **{a: 7 for a in ("AR", "LA", "OK", "TX")},
              **{a: 8 for a in ("AZ", "CO", "ID", "NM", "NV", "UT", "WY")}}

_US_AREAS = {"United States", "Puerto Rico", "Guam", "Virgin Islands (US)", "Samoa (American)",
             "Northern Mariana Islands", "US minor outlying islands"}
# JHU names these countries differently; NON_US_REGIONS holds JHU's spelling.
_JHU_RENAMED = {"KR", "CI", "MM", "TW", "CD", "BS", "GM", "VA", "PS"}
# CountryCodeQS.csv: codes added after the list was made are absent, Netherlands Antilles is in,
# and some codes appear under several names.
_CODES_ABSENT = {"AX", "BL", "BQ", "CW", "MF", "SS", "SX"}
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "BO": ("Bolivia, Plurinational State of", "Bolivia"),
    "BN": ("Brunei Darussalam", "Brunei"),
    "CI": ("Côte d'Ivoire", "Ivory Coast"),
    "KR": ("Korea, Republic of", "South Korea"),
    "LY": ("Libyan Arab Jamahiriya", "Libya"),
    "MM": ("Myanmar", "Burma"),
    "RU": ("Russian Federation", "Russia"),
    "VC": ("Saint Vincent and the Grenadines", "Saint Vincent & the Grenadines",
           "St. Vincent and the Grenadines"),
    "TW": ("Taiwan, Province of China", "Taiwan"),
    "TT": ("Trinidad and Tobago", "Trinidad & Tobago"),
    "VE": ("Venezuela, Bolivarian Republic of", "Venezuela"),
    "VN": ("Viet Nam", "Vietnam"),
    "US": ("US",),
    "GB": ("United Kingdom",),
}


def _iso_countries() -> list[tuple[str, str]]:
    """ISO 3166 alpha-2 codes and names, from the pinned tzdata package (249 entries)."""
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text("utf-8")
    return [tuple(line.split("\t", 1)) for line in text.splitlines()
            if line and not line.startswith("#")]


def _country_codes() -> list[tuple[str, str]]:
    return ([(a2, n) for a2, n in _iso_countries() if a2 not in _CODES_ABSENT]
            + [("AN", "Netherlands Antilles")])


def _alpha3(a2: str, name: str) -> str:
    letters = [c for c in name.upper() if c.isalpha() and c not in a2]
    return a2 + (letters[0] if letters else "X")


# --------------------------------------------------------------------------------------------
# Writing


def _csv_bytes(df: pd.DataFrame, bom: bool = False, crlf: bool = False,
               final_newline: bool = True) -> bytes:
    eol = "\r\n" if crlf else "\n"
    # What DataFrame.to_csv writes (minimal quoting, floats as repr, NA empty), formatted once
    # per distinct value: several times faster on the large files.
    cols = [[_csv_field(str(c)) for c in df.columns]]
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_integer_dtype(s.dtype):
            codes, uniq = pd.factorize(s.to_numpy(dtype=np.float64, na_value=np.nan))
            text = [str(int(v)) for v in uniq]
        elif pd.api.types.is_float_dtype(s.dtype):
            codes, uniq = pd.factorize(s.to_numpy(dtype=np.float64, na_value=np.nan))
            text = [repr(float(v)) for v in uniq]
        else:
            codes, uniq = pd.factorize(s.to_numpy(dtype=object, na_value=None))
            text = [_csv_field(str(v)) for v in uniq]
        cols.append(np.array(text + [""], dtype=object)[codes])
    header, body = cols[0], cols[1:]
    text = eol.join([",".join(header), *map(",".join, zip(*body, strict=False))]) + eol
    if not final_newline:
        text = text[: -len(eol)]
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _csv_field(v: str) -> str:
    if any(ch in v for ch in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def generate(out_dir: str | Path, scale: str = "small", seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the ten source objects under out_dir; return {dataset name: path}."""
    if scale not in SCALE_SPECS:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out = Path(out_dir)
    lake = _Lake(SCALE_SPECS[scale], seed)
    sd = lake.states_daily()
    usd = lake.us_daily(sd)
    hospitals = lake.hospital_beds()
    jhu = _csv_bytes(lake.enigma_jhu())
    content = {
        "enigma_jhu": gzip.compress(jhu, compresslevel=6, mtime=0),
        "us_county": _csv_bytes(lake.us_county()),
        "us_states": _csv_bytes(lake.us_states()),
        "states_daily": _csv_bytes(sd),
        "us_daily": _csv_bytes(usd),
        "us_total_latest": _csv_bytes(lake.us_total_latest(usd, sd), final_newline=False),
        "hospital_beds": "".join(json.dumps(h, ensure_ascii=False) + "\n"
                                 for h in hospitals).encode("utf-8"),
        "countrycode": _csv_bytes(lake.countrycode(), bom=True, crlf=True, final_newline=False),
        "countypopulation": _csv_bytes(lake.countypopulation(), crlf=True),
        "state_abv": _csv_bytes(lake.state_abv()),
    }
    paths = {}
    for name, data in content.items():
        paths[name] = out / BY_NAME[name].key
        _write(paths[name], data)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m covid_lake_dev.sample_lake", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", type=Path)
    p.add_argument("--scale", choices=SCALES, default="small")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.out_dir, args.scale, args.seed)
    for name, path in paths.items():
        print(f"{name:17s} {path.stat().st_size:>12,d} B  {path}")
    print(f"sample lake ({args.scale}, seed {args.seed}) written in "
          f"{time.perf_counter() - t0:.1f} s; synthetic data shaped like the real lake")
    return 0


if __name__ == "__main__":
    sys.exit(main())
