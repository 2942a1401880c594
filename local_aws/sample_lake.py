"""A synthetic, seeded copy of the AWS COVID-19 data lake's ten source objects.

    python -m local_aws.sample_lake OUT_DIR --scale small|full|x10 [--seed N]

writes the ten objects under OUT_DIR with the bucket's object keys (OUT_DIR/enigma-jhu/csv/
Enigma-JHU.csv.gz, ...), the real files' formats, headers and column order, and the quirks
../shared/docs/covid19-lake.md lists. The numbers are invented but consistent: every region
follows one latent epidemic curve, so JHU county figures, NYT county and state figures and the
COVID Tracking state figures agree with each other the way the real sources roughly do.

Scales:
- small: 7 jurisdictions, ~30 counties, 2020-03-10..2020-05-09. Every quirk, a few hundred KB.
- full:  the real files' row counts (JHU 222,804; states_daily 20,780; ...), all 56 jurisdictions.
- x10:   full with every daily series ten times as long (and ten times the hospitals), for
         benchmarks; dates then run years past the real lake's end.

Deliberate irregularities, so the pipeline's rules can be tested against them:
- JHU reports a region more than once on some days; the earlier report is written *after* the
  later one, so file order cannot be trusted (take the latest last_update).
- JHU corrections: for each (fips, date) in `corrections(scale)` JHU's cumulative `confirmed`
  drops below the previous day's value and stays lowered (a reclassification). JHU only: NYT and
  the COVID Tracking figures are not corrected. Nowhere else does a cumulative count decrease.
- last_update is US style ('3/22/20 23:45') for the first ten days of county-level reporting
  and ISO ('2020-03-22 23:45:00') otherwise.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from covid_lake.datasets import BY_NAME
from local_aws.geography import (
    COUNTY_NAME_STEMS,
    NON_US_REGIONS,
    NYC_BOROUGHS,
    STATE_BY_ABBR,
    STATES,
    State,
)

DEFAULT_SEED = 20200122
SCALES = ("small", "full", "x10")


@dataclass(frozen=True)
class Scale:
    name: str
    states: tuple[str, ...] | None  # postal abbreviations; None = all 56 jurisdictions
    counties_per_state: int | None  # None = every county
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
    jhu_non_us_rows: int | None
    jhu_non_us_regions: int | None  # None = every region
    jhu_extra_reports: int  # second, earlier reports of one county on one day
    hospitals: int
    hospitals_no_fips: int
    n_corrections: int


def _stretched(base: Scale, name: str, k: int) -> Scale:
    def mul(v: int | None) -> int | None:
        return None if v is None else v * k

    return Scale(
        name, base.states, base.counties_per_state,
        base.sd_start, base.sd_days * k, mul(base.sd_rows),
        base.nyt_start, base.nyt_days * k, mul(base.nyt_state_rows),
        base.jhu_start, base.jhu_days * k, base.jhu_county_days * k, base.jhu_pr_days * k,
        mul(base.jhu_non_us_rows), base.jhu_non_us_regions, base.jhu_extra_reports * k,
        base.hospitals * k, base.hospitals_no_fips * k, base.n_corrections,
    )


# full: 2020-01-13..2021-03-07 (420 days) for COVID Tracking, 2020-01-21..2020-05-09 for NYT,
# 2020-01-22..2020-05-23 for JHU with county rows from 2020-03-22. JHU's 222,804 rows are
# 24,440 non-US + 74 Puerto Rico + 3,142 counties x 63 days + 344 second reports.
FULL = Scale(
    "full", None, None,
    date(2020, 1, 13), 420, 20_780,
    date(2020, 1, 21), 110, 3_754,
    date(2020, 1, 22), 123, 63, 74, 24_440, None, 344,
    6_637, 8, 3,
)
SMALL = Scale(
    "small", ("WA", "NY", "MO", "CA", "DC", "PR", "GU"), 6,
    date(2020, 3, 10), 61, None,
    date(2020, 3, 10), 61, None,
    date(2020, 3, 10), 61, 49, 60, None, 12, 20,
    120, 2, 1,
)
SCALE_SPECS = {"small": SMALL, "full": FULL, "x10": _stretched(FULL, "x10", 10)}

# Regions the small scale must keep so every quirk is present.
_SMALL_NON_US = ("Anhui", "Hubei", "Korea, South", "Italy", "Bahamas, The", "Ontario")


def corrections(scale: str, seed: int = DEFAULT_SEED) -> list[tuple[str, date]]:
    """The (county fips, date) pairs where JHU's cumulative `confirmed` drops (see module doc)."""
    return _Lake(SCALE_SPECS[scale], seed).corrections


# --------------------------------------------------------------------------------------------
# The latent epidemic: one cumulative case curve per region, from which every source reads.


@dataclass
class _Units:
    """Every region with its own curve: counties, and jurisdictions without counties."""

    fips: np.ndarray  # 5-digit county fips, or 2-digit for a jurisdiction without counties
    state: list[State]
    name: list[str]  # short county name ("Snohomish"), or the jurisdiction's name
    suffix: list[str]  # "County", "Parish", "Borough", "Municipio", ""
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    is_county: np.ndarray


def _county_suffix(st: State) -> str:
    return {"LA": "Parish", "AK": "Borough", "PR": "Municipio"}.get(st.abbr, "County")


def _county_names(rng: np.random.Generator, n: int) -> list[str]:
    prefixes = ("", "North ", "South ", "East ", "West ", "New ", "Upper ", "Lower ", "Fort ")
    combos = [p + s for p in prefixes for s in dict.fromkeys(COUNTY_NAME_STEMS)]
    first = list(dict.fromkeys(COUNTY_NAME_STEMS))
    rng.shuffle(first)
    rest = combos[len(first):]
    rng.shuffle(rest)
    return (first + rest)[:n]


def _spans(rng: np.random.Generator, n: int, window: int, total: int | None, lo: int,
           fixed: dict[int, int] | None = None) -> np.ndarray:
    """Days each of n entities reports (ending at the window's end), summing to `total`."""
    fixed = fixed or {}
    spans = rng.integers(lo, window + 1, n)
    for i, v in fixed.items():
        spans[i] = v
    if total is None:
        return spans
    if not n * 1 <= total <= n * window:
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


def _logistic_curves(rng, n, days, onset, size, stretch) -> np.ndarray:
    """Cumulative counts (n x days): 0 before onset, then 1 + a logistic rise. Never decreasing."""
    mid = rng.uniform(30, 300, n) * stretch
    width = rng.uniform(12, 60, n) * stretch
    t = np.arange(days)[None, :] - onset[:, None]
    sig = 1.0 / (1.0 + np.exp(-(t - mid[:, None]) / width[:, None]))
    sig0 = 1.0 / (1.0 + np.exp(mid / width))
    curve = 1 + np.floor(size[:, None] * (sig - sig0[:, None]))
    curve[t < 0] = 0
    return curve.astype(np.int64)


def _lag(curve: np.ndarray, days: int) -> np.ndarray:
    out = np.zeros_like(curve)
    out[:, days:] = curve[:, :-days] if days else curve
    return out


def _fmt_dates(days: pd.DatetimeIndex, fmt: str) -> np.ndarray:
    return np.asarray(days.strftime(fmt), dtype=object)


class _Lake:
    """All draws happen in __init__ in a fixed order, so a seed fixes every byte written."""

    def __init__(self, spec: Scale, seed: int):
        self.spec = spec
        self.rng = rng = np.random.default_rng(seed)
        self.stretch = spec.sd_days // (61 if spec.name == "small" else 420) or 1
        self.states = [s for s in STATES if spec.states is None or s.abbr in spec.states]
        self.first_day = min(spec.sd_start, spec.nyt_start, spec.jhu_start)
        ends = [spec.sd_start + timedelta(spec.sd_days - 1),
                spec.nyt_start + timedelta(spec.nyt_days - 1),
                spec.jhu_start + timedelta(spec.jhu_days - 1)]
        self.n_days = (max(ends) - self.first_day).days + 1
        self.days = pd.date_range(self.first_day, periods=self.n_days, freq="D")
        self.units = self._make_units()
        self._make_curves()
        self.corrections = self._pick_corrections()
        self.regions = self._pick_non_us_regions()

    # ---- geography

    def _make_units(self) -> _Units:
        rng, cap = self.rng, self.spec.counties_per_state
        fips, state, name, suffix, pop, lat, lon, is_county = [], [], [], [], [], [], [], []
        for st in self.states:
            if st.n_counties == 0:
                fips.append(st.fips), state.append(st), name.append(st.name), suffix.append("")
                pop.append(st.population_m * 1e6), lat.append(st.lat), lon.append(st.lon)
                is_county.append(False)
                continue
            codes = [f"{st.fips}{2 * k + 1:03d}" for k in range(st.n_counties)]
            names = _county_names(rng, st.n_counties)
            if st.abbr == "DC":
                names = ["District of Columbia"]
            shares = rng.lognormal(0.0, 1.2, st.n_counties)
            for k, code in enumerate(codes):
                if code in NYC_BOROUGHS:
                    names[k] = NYC_BOROUGHS[code]
                    shares[k] = shares.max() * 3
            shares /= shares.sum()
            keep = range(st.n_counties)
            if cap is not None:
                nyc = [k for k, c in enumerate(codes) if c in NYC_BOROUGHS]
                keep = sorted(set(range(min(cap, st.n_counties)) if not nyc else range(3)) | set(nyc))
            for k in keep:
                fips.append(codes[k]), state.append(st), name.append(names[k])
                suffix.append("" if st.abbr == "DC" else _county_suffix(st))
                pop.append(max(100.0, st.population_m * 1e6 * shares[k]))
                lat.append(round(st.lat + rng.uniform(-2, 2), 8))
                lon.append(round(st.lon + rng.uniform(-3, 3), 8))
                is_county.append(True)
        return _Units(np.array(fips, dtype=object), state, name, suffix,
                      np.round(np.array(pop)).astype(np.int64), np.array(lat), np.array(lon),
                      np.array(is_county))

    # ---- curves

    def _make_curves(self) -> None:
        rng, spec, u = self.rng, self.spec, self.units
        n = len(u.fips)
        # NYT: a jurisdiction appears on its first case; Washington on the window's first day
        # (the first US case, 2020-01-21). American Samoa never has a case.
        nyt_states = [s for s in self.states if s.abbr != "AS"]
        fixed = {i: spec.nyt_days for i, s in enumerate(nyt_states) if s.abbr == "WA"}
        nyt_spans = _spans(rng, len(nyt_states), spec.nyt_days, spec.nyt_state_rows,
                           lo=max(1, spec.nyt_days // 4), fixed=fixed)
        nyt_end = (spec.nyt_start - self.first_day).days + spec.nyt_days - 1
        state_onset = {s.abbr: nyt_end - span + 1 for s, span in zip(nyt_states, nyt_spans)}
        state_onset["AS"] = self.n_days + 1

        onset = np.empty(n, dtype=np.int64)
        seen: set[str] = set()
        order = np.argsort(-u.population, kind="stable")  # a state's largest county goes first
        lags = rng.exponential(20 * self.stretch, n).astype(np.int64)
        for i in order:
            abbr = u.state[i].abbr
            onset[i] = state_onset[abbr] + (0 if abbr not in seen else lags[i])
            seen.add(abbr)
        attack = rng.uniform(0.02, 0.10, n)
        self.cases = _logistic_curves(rng, n, self.n_days, onset, u.population * attack,
                                      self.stretch)
        cfr = rng.uniform(0.005, 0.04, n)
        self.deaths = np.floor(_lag(self.cases, 10) * cfr[:, None]).astype(np.int64)

        # NYT rows without fips (beyond the NYC boroughs, which NYT merges), as shares of their
        # state's county total. Rounded up so they appear with the state's first case; the state
        # total is the sum of exactly what the county file holds.
        self.extras: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}
        self.state_cases, self.state_deaths = {}, {}
        for st in self.states:
            rows = np.array([x is st for x in u.state])
            c, d = self.cases[rows].sum(axis=0), self.deaths[rows].sum(axis=0)
            shares = [("Kansas City", 0.03), ("Joplin", 0.005)] if st.abbr == "MO" else []
            if not st.is_territory and rng.random() < 0.5:
                shares.append(("Unknown", 0.01))
            self.extras[st.abbr] = [(name, np.ceil(c * f).astype(np.int64),
                                     np.floor(d * f).astype(np.int64)) for name, f in shares]
            self.state_cases[st.abbr] = c + sum((x[1] for x in self.extras[st.abbr]), 0)
            self.state_deaths[st.abbr] = d + sum((x[2] for x in self.extras[st.abbr]), 0)
        self.onset = onset

    def _pick_corrections(self) -> list[tuple[str, date]]:
        u, spec = self.units, self.spec
        jhu_end = (self.spec.jhu_start - self.first_day).days + spec.jhu_days - 1
        day = jhu_end - spec.jhu_county_days + 1 + 20 * self.stretch
        out, used = [], set()
        for i in np.argsort(-u.population, kind="stable"):
            st = u.state[i]
            if not u.is_county[i] or st.abbr in used or st.abbr == "PR":
                continue
            if self.cases[i, day] > self.cases[i, day - 1]:
                out.append((str(u.fips[i]), self.days[day].date()))
                used.add(st.abbr)
            if len(out) == spec.n_corrections:
                break
        return out

    def _pick_non_us_regions(self) -> list[tuple[str, str, float, float]]:
        regions = list(NON_US_REGIONS)
        known = {c for _, c, _, _ in regions}
        for _, name in _iso_countries():
            if name not in known and name not in _US_AREAS:
                regions.append(("", name, float(self.rng.uniform(-40, 60)),
                                float(self.rng.uniform(-120, 150))))
        if self.spec.jhu_non_us_regions is not None:
            must = [r for r in regions if r[0] in _SMALL_NON_US or r[1] in _SMALL_NON_US]
            others = [r for r in regions if r not in must]
            regions = must + others[: self.spec.jhu_non_us_regions - len(must)]
        return regions

    # ---- the ten files

    def day_index(self, d: date) -> int:
        return (d - self.first_day).days

    def enigma_jhu(self) -> pd.DataFrame:
        spec, u, rng = self.spec, self.units, self.rng
        start = self.day_index(spec.jhu_start)
        end = start + spec.jhu_days - 1
        county_start = end - spec.jhu_county_days + 1
        jhu_cases = self.cases.copy()
        for f, d in self.corrections:
            i, t = int(np.flatnonzero(u.fips == f)[0]), self.day_index(d)
            drop = jhu_cases[i, t] - jhu_cases[i, t - 1] + max(1, jhu_cases[i, t] // 10)
            jhu_cases[i, t:] = np.maximum(jhu_cases[i, t:] - drop, 0)

        report_time = rng.integers(0, 24 * 60, self.n_days)  # one publication time per day
        us_style = np.zeros(self.n_days, dtype=bool)
        us_style[county_start: county_start + 10] = True
        iso = _fmt_dates(self.days, "%Y-%m-%d")
        us = np.array([f"{d.month}/{d.day}/{d:%y}" for d in self.days], dtype=object)

        def stamp(day: np.ndarray, minutes: np.ndarray) -> np.ndarray:
            hh = (minutes // 60).astype(str)
            mm = np.char.zfill((minutes % 60).astype(str), 2)
            hh2 = np.char.zfill(hh, 2)
            iso_s = iso[day] + " " + hh2.astype(object) + ":" + mm.astype(object) + ":00"
            us_s = us[day] + " " + hh.astype(object) + ":" + mm.astype(object)
            return np.where(us_style[day], us_s, iso_s)

        frames = []
        # US counties (Puerto Rico reports at state level, so its municipios are absent).
        cidx = np.flatnonzero(u.is_county & np.array([s.abbr != "PR" for s in u.state]))
        days = np.arange(county_start, end + 1)
        ci, di = np.repeat(cidx, len(days)), np.tile(days, len(cidx))
        extra = rng.choice(len(ci), size=spec.jhu_extra_reports, replace=False)
        ci = np.concatenate([ci, ci[extra]])
        di = np.concatenate([di, di[extra]])
        second = np.zeros(len(ci), dtype=bool)
        second[-len(extra):] = True
        minutes = report_time[di].copy()
        minutes[second] = minutes[second] // 2  # the earlier report of that day
        confirmed = jhu_cases[ci, di]
        confirmed[second] = jhu_cases[ci[second], di[second] - 1]
        deaths = np.minimum(self.deaths[ci, di], confirmed)
        admin2 = np.array(u.name, dtype=object)[ci]
        pstate = np.array([s.name for s in u.state], dtype=object)[ci]
        frames.append(pd.DataFrame({
            "fips": u.fips[ci], "admin2": admin2, "province_state": pstate,
            "country_region": "US", "last_update": stamp(di, minutes),
            "latitude": u.lat[ci], "longitude": u.lon[ci], "confirmed": confirmed,
            "deaths": deaths, "recovered": 0, "active": confirmed - deaths,
            "combined_key": admin2 + ", " + pstate + ", US",
            "_day": di, "_order": second.astype(int), "_group": 1,
        }))
        # Puerto Rico, state-level fips 72.
        if "PR" in self.state_cases:
            pr = STATE_BY_ABBR["PR"]
            days = np.arange(end - spec.jhu_pr_days + 1, end + 1)
            c, d = self.state_cases["PR"][days], self.state_deaths["PR"][days]
            frames.append(pd.DataFrame({
                "fips": "72", "admin2": "", "province_state": pr.name, "country_region": "US",
                "last_update": stamp(days, report_time[days]), "latitude": pr.lat,
                "longitude": pr.lon, "confirmed": c, "deaths": d, "recovered": 0,
                "active": c - d, "combined_key": "Puerto Rico, US",
                "_day": days, "_order": 0, "_group": 0,
            }))
        # Non-US regions: no fips.
        r = len(self.regions)
        spans = _spans(rng, r, spec.jhu_days, spec.jhu_non_us_rows, lo=max(1, spec.jhu_days // 5))
        size = rng.uniform(100, 200_000, r)
        curves = _logistic_curves(rng, r, spec.jhu_days, np.zeros(r, dtype=np.int64), size,
                                  self.stretch)
        ri = np.repeat(np.arange(r), spans)
        offs = np.concatenate([np.arange(spec.jhu_days - s, spec.jhu_days) for s in spans])
        c = curves[ri, offs]
        d = np.floor(c * 0.04).astype(np.int64)
        rec = np.floor(_lag(curves, 14 * self.stretch)[ri, offs] * 0.5).astype(np.int64)
        prov = np.array([x[0] for x in self.regions], dtype=object)[ri]
        country = np.array([x[1] for x in self.regions], dtype=object)[ri]
        frames.append(pd.DataFrame({
            "fips": "", "admin2": "", "province_state": prov, "country_region": country,
            "last_update": stamp(start + offs, report_time[start + offs]),
            "latitude": np.array([x[2] for x in self.regions])[ri],
            "longitude": np.array([x[3] for x in self.regions])[ri],
            "confirmed": c, "deaths": d, "recovered": rec, "active": c - d - rec,
            "combined_key": np.where(prov == "", country, prov + ", " + country),
            "_day": start + offs, "_order": 0, "_group": 2,
        }))
        df = pd.concat(frames, ignore_index=True)
        df = df.sort_values(["_day", "_group", "province_state", "admin2", "_order"],
                            kind="stable", ignore_index=True)
        # `active` is sometimes missing in the real file.
        active = df["active"].astype("Int64")
        active[rng.random(len(df)) < 0.02] = pd.NA
        df["active"] = active
        return df.drop(columns=["_day", "_order", "_group"])

    def _nyt_days(self) -> np.ndarray:
        start = self.day_index(self.spec.nyt_start)
        return np.arange(start, start + self.spec.nyt_days)

    def us_county(self) -> pd.DataFrame:
        u, days = self.units, self._nyt_days()
        rows = []
        nyc = np.isin(u.fips, list(NYC_BOROUGHS))
        plain = np.flatnonzero(u.is_county & ~nyc & np.array([s.abbr != "PR" for s in u.state]))
        ci, di = np.repeat(plain, len(days)), np.tile(days, len(plain))
        keep = self.cases[ci, di] > 0
        ci, di = ci[keep], di[keep]
        rows.append(pd.DataFrame({
            "_day": di, "county": np.array(u.name, dtype=object)[ci],
            "state": np.array([s.name for s in u.state], dtype=object)[ci], "fips": u.fips[ci],
            "cases": self.cases[ci, di], "deaths": self.deaths[ci, di],
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
            for name, cases, deaths in self.extras[st.abbr]:
                fipsless(name, st, cases, deaths)
            if st.is_territory:  # NYT has no county breakdown for the territories
                fipsless("Unknown", st, self.state_cases[st.abbr], self.state_deaths[st.abbr])
        df = pd.concat(rows, ignore_index=True)
        df = df.sort_values(["_day", "state", "county"], kind="stable", ignore_index=True)
        df.insert(0, "date", _fmt_dates(self.days, "%Y-%m-%d")[df["_day"].to_numpy()])
        return df.drop(columns="_day")

    def us_states(self) -> pd.DataFrame:
        days, frames = self._nyt_days(), []
        for st in self.states:
            c = self.state_cases[st.abbr][days]
            keep = c > 0
            frames.append(pd.DataFrame({
                "_day": days[keep], "state": st.name, "fips": st.fips, "cases": c[keep],
                "deaths": self.state_deaths[st.abbr][days][keep],
            }))
        df = pd.concat(frames, ignore_index=True)
        df = df.sort_values(["_day", "state"], kind="stable", ignore_index=True)
        df.insert(0, "date", _fmt_dates(self.days, "%Y-%m-%d")[df["_day"].to_numpy()])
        return df.drop(columns="_day")

    def states_daily(self) -> pd.DataFrame:
        spec, rng = self.spec, self.rng
        n = len(self.states)
        fixed = {i: spec.sd_days for i, s in enumerate(self.states) if s.abbr == "WA"}
        spans = _spans(rng, n, spec.sd_days, spec.sd_rows, lo=int(spec.sd_days * 0.6),
                       fixed=fixed)
        start = self.day_index(spec.sd_start)
        end = start + spec.sd_days - 1
        cols = {k: [] for k in ("_day", "state", "fips")}
        values: dict[str, list[np.ndarray]] = {}

        def put(name: str, arr, reported: np.ndarray | None = None) -> None:
            arr = pd.array(np.asarray(arr, dtype=np.int64), dtype="Int64")
            if reported is not None:
                arr[~reported] = pd.NA
            values.setdefault(name, []).append(arr)

        for st, span in zip(self.states, spans):
            days = np.arange(end - span + 1, end + 1)
            m = len(days)
            cols["_day"].append(days), cols["state"].append(np.full(m, st.abbr, dtype=object))
            cols["fips"].append(np.full(m, st.fips, dtype=object))
            pos = self.state_cases[st.abbr][days]
            death = self.state_deaths[st.abbr][days]
            age = np.arange(m)
            tests = np.floor(rng.uniform(20, 400) * (age + 1) ** 1.3).astype(np.int64) + 7 * pos
            neg = tests - pos
            cur = np.maximum(pos - self.state_cases[st.abbr][np.maximum(days - 14, 0)], 0)
            hosp_cur = np.floor(cur * rng.uniform(0.02, 0.06)).astype(np.int64)
            hosp_cum = np.floor(pos * rng.uniform(0.08, 0.14)).astype(np.int64)
            icu = np.floor(hosp_cur * 0.25).astype(np.int64)
            vent = np.floor(icu * 0.35).astype(np.int64)
            lagged = np.maximum.accumulate(np.concatenate([np.zeros(10, np.int64), hosp_cum])[:m])
            # Each measure starts being reported on its own day, and some states never report it.
            def since(p_never: float) -> np.ndarray:
                if rng.random() < p_never:
                    return np.zeros(m, dtype=bool)
                return age >= rng.integers(0, max(1, m // 3))

            put("positive", pos)
            put("probableCases", np.floor(pos * 0.05), since(0.7))
            put("negative", neg)
            put("pending", rng.integers(0, 500, m), since(0.8))
            put("totalTestResults", pos + neg)
            put("hospitalizedCurrently", hosp_cur, since(0.1))
            r_cum = since(0.4)
            put("hospitalizedCumulative", hosp_cum, r_cum)
            put("inIcuCurrently", icu, since(0.3))
            put("inIcuCumulative", np.floor(hosp_cum * 0.2), since(0.6))
            put("onVentilatorCurrently", vent, since(0.4))
            put("onVentilatorCumulative", np.floor(hosp_cum * 0.07), since(0.8))
            put("recovered", np.floor(np.concatenate([np.zeros(21, np.int64), pos])[:m] * 0.6),
                since(0.25))
            put("death", death)
            put("hospitalized", hosp_cum, r_cum)
            put("hospitalizedDischarged", np.floor(lagged * 0.8), since(0.6))
            viral = since(0.3)
            put("totalTestsViral", pos + neg, viral)
            put("positiveTestsViral", pos, viral)
            put("negativeTestsViral", neg, viral)
            put("positiveCasesViral", pos, viral)
            conf = since(0.5)
            put("deathConfirmed", np.floor(death * 0.92), conf)
            put("deathProbable", death - np.floor(death * 0.92).astype(np.int64), conf)
            put("totalTestEncountersViral", np.floor((pos + neg) * 1.1), since(0.8))
            put("totalTestsPeopleViral", np.floor((pos + neg) * 0.8), since(0.5))
            put("positiveIncrease", np.diff(pos, prepend=0))
            put("negativeIncrease", np.diff(neg, prepend=0))
            put("totalTestResultsIncrease", np.diff(pos + neg, prepend=0))
            put("deathIncrease", np.diff(death, prepend=0))
            put("hospitalizedIncrease", np.diff(hosp_cum, prepend=0), r_cum)

        day = np.concatenate(cols["_day"])
        df = pd.DataFrame({"_day": day, "state": np.concatenate(cols["state"]),
                           "fips": np.concatenate(cols["fips"])})
        for k, parts in values.items():
            df[k] = pd.array(np.concatenate([p.to_numpy(dtype="float64", na_value=np.nan)
                                             for p in parts]), dtype="Int64")
        days = self.days[day]
        df["date"] = np.asarray(days.strftime("%Y%m%d"), dtype=object)
        df["totalTestResultsSource"] = np.where(df["totalTestsViral"].isna(), "posNeg",
                                                "totalTestsViral")
        stamp = np.asarray((days + pd.Timedelta(hours=23, minutes=59)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"), dtype=object)
        df["lastUpdateEt"] = np.array([f"{d.month}/{d.day}/{d.year} 23:59" for d in days],
                                      dtype=object)
        df["dateModified"] = stamp
        df["checkTimeEt"] = np.asarray(days.strftime("%m/%d 19:59"), dtype=object)
        df["dateChecked"] = stamp
        df["total"] = df["positive"] + df["negative"]
        df["posNeg"] = df["total"]
        for k in ("dataQualityGrade", "grade"):
            df[k] = ""
        for k in ("commercialScore", "negativeRegularScore", "negativeScore", "positiveScore",
                  "score"):
            df[k] = 0
        for k in ("totalTestsAntibody", "positiveTestsAntibody", "negativeTestsAntibody",
                  "totalTestsPeopleAntibody", "positiveTestsPeopleAntibody",
                  "negativeTestsPeopleAntibody", "totalTestsPeopleAntigen",
                  "positiveTestsPeopleAntigen", "totalTestsAntigen", "positiveTestsAntigen"):
            df[k] = pd.array([pd.NA] * len(df), dtype="Int64")
        df["hash"] = _hashes(df["date"] + df["state"] + df["positive"].astype(str))
        df = df.sort_values(["_day", "state"], ascending=[False, True], kind="stable",
                            ignore_index=True)
        return df[list(BY_NAME["states_daily"].columns)]

    def us_daily(self, sd: pd.DataFrame) -> pd.DataFrame:
        sums = ["positive", "negative", "pending", "hospitalizedCurrently",
                "hospitalizedCumulative", "inIcuCurrently", "inIcuCumulative",
                "onVentilatorCurrently", "onVentilatorCumulative", "death", "hospitalized",
                "totalTestResults", "recovered", "total", "posNeg", "deathIncrease",
                "hospitalizedIncrease", "negativeIncrease", "positiveIncrease",
                "totalTestResultsIncrease"]
        g = sd.groupby("date", sort=True)
        df = g[sums].sum(min_count=1)
        df["states"] = g.size()
        df = df.reset_index().sort_values("date", ascending=False, ignore_index=True)
        stamp = pd.to_datetime(df["date"], format="%Y%m%d").dt.strftime("%Y-%m-%dT23:59:00Z")
        df["dateChecked"] = stamp
        df["lastModified"] = stamp
        df["hash"] = _hashes(df["date"] + df["positive"].astype(str))
        return df[list(BY_NAME["us_daily"].columns)]

    def us_total_latest(self, us_daily: pd.DataFrame) -> pd.DataFrame:
        row = us_daily[us_daily["date"] == "20200501"]
        if row.empty:
            row = us_daily.iloc[[0]]
        row = row.copy()
        row["notes"] = ('NOTE: "total", "posNeg", "hospitalized" will be removed in the future.'
                        " (Previous definition, one value, kept for compatibility.)")
        return row[list(BY_NAME["us_total_latest"].columns)].reset_index(drop=True)

    def hospital_beds(self) -> list[dict]:
        spec, u, rng = self.spec, self.units, self.rng
        county = np.flatnonzero(u.is_county)
        weights = u.population[county] / u.population[county].sum()
        n_fips = spec.hospitals - spec.hospitals_no_fips
        at = np.sort(rng.choice(county, size=n_fips, p=weights))
        territories = [s for s in self.states if s.is_territory and s.n_counties == 0]
        types = ["Short Term Acute Care Hospital", "Critical Access Hospital",
                 "Long Term Acute Care Hospital", "Psychiatric Hospital",
                 "Rehabilitation Hospital", "Children's Hospital", "VA Hospital",
                 "Military Hospital"]
        type_p = [0.55, 0.2, 0.05, 0.08, 0.06, 0.03, 0.02, 0.01]
        words = ["General Hospital", "Memorial Hospital", "Regional Medical Center",
                 "Community Hospital", "St. Mary's Hospital", "Mercy Medical Center",
                 "University Hospital", "Baptist Hospital"]
        out = []
        places = [(int(i), u.state[i]) for i in at]
        places += [(None, territories[k % len(territories)]) for k in range(spec.hospitals_no_fips)]
        for oid, (i, st) in enumerate(places, start=1):
            licensed = int(rng.integers(10, 900))
            staffed = int(licensed * rng.uniform(0.6, 1.0))
            icu = int(staffed * rng.uniform(0.0, 0.15))
            adult = int(icu * rng.uniform(0.7, 1.0))
            cname = u.name[i] if i is not None else None
            city = cname if cname else st.name
            out.append({
                "objectid": oid,
                "hospital_name": f"{city} {words[int(rng.integers(len(words)))]}",
                "hospital_type": types[int(rng.choice(len(types), p=type_p))],
                "hq_address": f"{int(rng.integers(1, 9999))} Main St",
                "hq_address1": None if rng.random() < 0.9 else f"Suite {int(rng.integers(100, 999))}",
                "hq_city": city,
                "hq_state": st.abbr,
                "hq_zip_code": f"{int(rng.integers(501, 99950)):05d}",
                "county_name": cname,
                "state_name": st.name,
                "state_fips": st.fips,
                "cnty_fips": str(u.fips[i])[2:] if i is not None else None,
                "fips": str(u.fips[i]) if i is not None else None,
                "num_licensed_beds": licensed,
                "num_staffed_beds": staffed,
                "num_icu_beds": icu,
                "adult_icu_beds": adult,
                "pedi_icu_beds": icu - adult if rng.random() < 0.95 else None,
                "bed_utilization": round(float(rng.uniform(0.2, 0.95)), 6),
                "avg_ventilator_usage": round(float(rng.uniform(0, 30)), 1)
                if rng.random() < 0.6 else None,
                "potential_increase_in_bed_capac": licensed - staffed,
                "latitude": round(float((u.lat[i] if i is not None else st.lat)
                                        + rng.uniform(-0.3, 0.3)), 6),
                "longtitude": round(float((u.lon[i] if i is not None else st.lon)
                                          + rng.uniform(-0.3, 0.3)), 6),
            })
        return out

    def countrycode(self) -> pd.DataFrame:
        rows = _iso_countries() + list(_EXTRA_COUNTRIES)
        rng = self.rng
        return pd.DataFrame({
            "Country": [name for _, name in rows],
            "Alpha-2 code": [a2 for a2, _ in rows],
            "Alpha-3 code": [_alpha3(a2, name) for a2, name in rows],
            "Numeric code": [f"{4 * (k + 1):03d}" for k in range(len(rows))],
            "Latitude": np.round(rng.uniform(-50, 70, len(rows)), 4),
            "Longitude": np.round(rng.uniform(-170, 170, len(rows)), 4),
        })

    def countypopulation(self) -> pd.DataFrame:
        u = self.units
        idx = np.flatnonzero(u.is_county)
        names = [u.name[i] if not u.suffix[i] else f"{u.name[i]} {u.suffix[i]}" for i in idx]
        return pd.DataFrame({
            "Id": ["0500000US" + str(f) for f in u.fips[idx]],
            "Id2": u.fips[idx],
            "County": names,
            "State": [u.state[i].name for i in idx],
            "Population Estimate 2018": u.population[idx],
        })

    def state_abv(self) -> pd.DataFrame:
        states = [s for s in STATES if not s.is_territory]
        return pd.DataFrame({"State": [s.name for s in states],
                             "Abbreviation": [s.abbr for s in states]})


_US_AREAS = {"United States", "Puerto Rico", "Guam", "Virgin Islands (US)", "Samoa (American)",
             "Northern Mariana Islands", "US minor outlying islands"}
_EXTRA_COUNTRIES = (("XK", "Kosovo"), ("EU", "European Union"), ("AN", "Netherlands Antilles"),
                    ("CS", "Serbia and Montenegro"), ("YU", "Yugoslavia"), ("TP", "East Timor"))


def _iso_countries() -> list[tuple[str, str]]:
    """ISO 3166 alpha-2 codes and names, from the pinned tzdata package (249 entries)."""
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text("utf-8")
    return [tuple(line.split("\t", 1)) for line in text.splitlines()
            if line and not line.startswith("#")]


def _alpha3(a2: str, name: str) -> str:
    letters = [c for c in name.upper() if c.isalpha() and c not in a2]
    return a2 + (letters[0] if letters else "X")


def _hashes(values: pd.Series) -> np.ndarray:
    return np.array([hashlib.sha1(v.encode()).hexdigest() for v in values], dtype=object)


# --------------------------------------------------------------------------------------------
# Writing


def _csv_bytes(df: pd.DataFrame, bom: bool = False) -> bytes:
    text = df.to_csv(index=False, lineterminator="\n", na_rep="")
    return (("\ufeff" if bom else "") + text).encode("utf-8")


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
    content = {
        "enigma_jhu": gzip.compress(_csv_bytes(lake.enigma_jhu()), compresslevel=6, mtime=0),
        "us_county": _csv_bytes(lake.us_county()),
        "us_states": _csv_bytes(lake.us_states()),
        "states_daily": _csv_bytes(sd),
        "us_daily": _csv_bytes(usd),
        "us_total_latest": _csv_bytes(lake.us_total_latest(usd)),
        "hospital_beds": "".join(json.dumps(h) + "\n" for h in hospitals).encode("utf-8"),
        "countrycode": _csv_bytes(lake.countrycode(), bom=True),
        "countypopulation": _csv_bytes(lake.countypopulation()),
        "state_abv": _csv_bytes(lake.state_abv()),
    }
    paths = {}
    for name, data in content.items():
        paths[name] = out / BY_NAME[name].key
        _write(paths[name], data)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m local_aws.sample_lake", description=__doc__.split(
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
