"""Which US state, territory or county a source row belongs to, decided the same way for every run.

JHU's region columns are irregular in the real lake (../shared/real-lake/README.md, object 10):
FIPS is 5 digits on some days and 4 on others, empty for 'Unassigned' / 'Out of XX' rows, for
Puerto Rico's state-level row and, on 2020-03-31 and 04-01, for a dozen real counties (DeKalb TN,
Harris TX, ...); territories carry synthetic codes (60000 American Samoa ... 78000 Virgin Islands,
or no code at all on later days); the cruise ships carry 88888 and 99999. `classify_jhu` puts
every JHU row in exactly one `Placement`, so the star build sums and joins only what belongs to a
real region, and every row left out is counted under a named rule.

The reference geography is the lake's own: counties and their states from countypopulation
(3,220 counties, 50 states + DC + Puerto Rico), the four territories it lacks from `TERRITORIES`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from covid_lake.domain import jhu_keys

# Territories COVID Tracking and JHU report but state_abv (50 states + DC) and countypopulation
# (which has Puerto Rico) do not list.
TERRITORIES = pd.DataFrame(
    {
        "fips": ["60", "66", "69", "72", "78"],
        "state_abbr": ["AS", "GU", "MP", "PR", "VI"],
        "state_name": ["American Samoa", "Guam", "Northern Mariana Islands", "Puerto Rico",
                       "Virgin Islands"],
    }
).astype("str")

# Where a JHU row goes. County rows make county facts and add to their state; state_other rows
# (Unassigned, Out of XX, a county-like row no county matches) add to their state only; a
# state_level row is a state's or territory's own total; the rest are left out.
COUNTY, STATE_OTHER, STATE_LEVEL = "county", "state_other", "state_level"
NON_US, NO_STATE, NATIONAL = "non_us", "no_state", "national"

# Rules: the reason a JHU row was placed as it was, as written to the run report.
JHU_RULES = {
    "non_us": "non-US region (out of scope)",
    "no_state": "US row of no state or territory (cruise ship 88888/99999)",
    "national": "national 'Recovered' row (no region)",
    "unassigned": "Unassigned: counted in the state total, no county",
    "out_of": "'Out of <state>': counted in the state total, no county",
    "unmatched": "county-like row with no fips and no unique county name (e.g. Dukes and "
                 "Nantucket, Kansas City): counted in the state total, no county",
    "matched": "county without fips, matched by name to countypopulation",
    "state_level": "state or territory reported as one row (Puerto Rico, Guam, ...)",
}

_SUFFIXES = re.compile(
    r"\s+(county|parish|borough|census area|municipality|city and borough|municipio|city)$")


def fold(name: str) -> str:
    """'Doña Ana' -> 'donaana', 'La Salle' -> 'lasalle': lower case, accents and everything but
    letters and digits gone (suffixes stay: see _stem). U+FFFD (a byte the source could not
    decode, as in countypopulation's 'Do\ufffda Ana') is kept as '?' for `_matches`."""
    s = unicodedata.normalize("NFKD", str(name).replace("\ufffd", "?"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9?]", "", s)


def _stem(name: str) -> str:
    return fold(_SUFFIXES.sub("", str(name).strip().lower()))


@dataclass(frozen=True)
class Geography:
    """States and counties as the lake's reference tables give them."""

    state_fips_by_name: dict[str, str]  # folded name -> 2-digit fips
    states: frozenset[str]  # every known state / territory fips
    counties: pd.DataFrame  # fips, state_fips, county_name, full, stem (folded names)

    def county_by_name(self, state_fips: str, admin2: str) -> str | None:
        """The county of the state whose name is `admin2`: an exact folded match, else a unique
        match without the 'County' / 'Parish' / 'city' suffix; None when none or ambiguous."""
        c = self.counties[self.counties["state_fips"] == state_fips]
        for col, key in (("full", fold(admin2)), ("stem", _stem(admin2))):
            hit = c.loc[c[col].map(lambda ref, k=key: _matches(ref, k)), "fips"]
            if len(hit) == 1:
                return str(hit.iloc[0])
            if len(hit) > 1:
                return None
        return None


def _matches(ref: str, key: str) -> bool:
    if "?" not in ref:
        return ref == key
    return re.fullmatch(re.escape(ref).replace(r"\?", "."), key) is not None


def geography(countypopulation: pd.DataFrame,
              nyt_states: pd.DataFrame | None = None) -> Geography:
    """State names -> fips from countypopulation (50 states, DC, Puerto Rico), TERRITORIES and
    NYT's us_states; counties from countypopulation. (state_abv pairs names with postal codes,
    not fips, so it cannot place a row.)"""
    pop = countypopulation
    names: dict[str, str] = {}
    for name, fips in zip(TERRITORIES["state_name"], TERRITORIES["fips"], strict=True):
        names[fold(name)] = fips
    pairs = pop.assign(sf=pop["fips"].str[:2]).drop_duplicates("state_name")
    for name, fips in zip(pairs["state_name"], pairs["sf"], strict=True):
        if isinstance(name, str):
            names.setdefault(fold(name), fips)
    if nyt_states is not None and len(nyt_states):
        ny = nyt_states.dropna(subset=["state", "fips"]).drop_duplicates("state")
        for name, fips in zip(ny["state"], ny["fips"], strict=True):
            names.setdefault(fold(name), fips)
    counties = pd.DataFrame({
        "fips": pop["fips"].astype("str"),
        "state_fips": pop["fips"].str[:2].astype("str"),
        "county_name": pop["county_name"],
    })
    counties["full"] = counties["county_name"].map(fold)
    counties["stem"] = counties["county_name"].map(_stem)
    states = frozenset(names.values()) | frozenset(counties["state_fips"])
    return Geography(names, states, counties.reset_index(drop=True))


def _per_value(values: pd.Series, fn) -> pd.Series:
    """fn applied once per distinct value (a few hundred names over 200k rows)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype="str")


def is_county_fips(fips: pd.Series, states: frozenset[str]) -> pd.Series:
    """A real county: 5 digits, a known state, not a state-level code (xx000) and not one of
    JHU's synthetic 80xxx / xx888 ('Out of'), 90xxx / xx999 ('Unassigned'), 88888 / 99999
    codes."""
    f = fips.astype("str")
    return (f.str.len().eq(5) & f.str[:2].isin(list(states))
            & ~f.str[2:].isin(["000", "888", "999"])).fillna(False).astype(bool)


# What a JHU row's placement depends on: nothing else of the row, and nothing of other rows.
_WHERE_COLUMNS = ["fips", "admin2", "province_state", "country_region"]
_PLACED_COLUMNS = ["placement", "rule", "state_fips", "county_fips", "region"]


def classify_jhu(jhu: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    """The cleaned JHU rows with where each goes: placement, rule, state_fips, county_fips and
    region (the key 'latest report per region per day' is taken on), each a categorical of
    sorted text categories (`_spread`).

    Each distinct combination of the region columns is placed once and the answer spread to its
    rows: 2.2 million rows of the x10 sample are 3,442 combinations, and placing is string work
    per row."""
    codes = distinct_rows(jhu[_WHERE_COLUMNS])
    first = pd.Series(codes).drop_duplicates().index.to_numpy()  # code k's first row, k = 0, 1...
    try:
        placed = _classify(jhu.iloc[first], geo)
    except jhu_keys.UnknownKeyFormError:
        _classify(jhu, geo)  # raises again, counting the rows and naming the first as it always did
        raise
    out = jhu.copy(deep=False)  # copy-on-write: the new columns never reach `jhu`; no data copied
    for col in _PLACED_COLUMNS:
        out[col] = _spread(placed[col], codes, jhu.index)
    return out


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """`values[codes]` as a categorical: every later filter, sort and merge of the millions of
    rows then gathers small integers, not text. Its categories are sorted, so its codes order
    rows as the text sorts (missing: code -1)."""
    cat = pd.Categorical(values)
    return pd.Series(pd.Categorical.from_codes(cat.codes[codes], dtype=cat.dtype), index=index,
                     name=values.name)


def distinct_rows(df: pd.DataFrame) -> np.ndarray:
    """A code per row, equal for rows equal in every column (missing equal to missing), numbered
    in order of first appearance."""
    key = np.zeros(len(df), dtype=np.int64)
    size = 1  # the key's values are below it
    for col in df.columns:
        codes, uniques = pd.factorize(df[col], use_na_sentinel=False)
        if size * max(len(uniques), 1) >= 2**62:  # renumbered densely only when it must be
            key, distinct = pd.factorize(key)
            size = len(distinct)
        key = key * len(uniques) + codes
        size *= max(len(uniques), 1)
    return pd.factorize(key)[0]  # numbered in order of first appearance


def _classify(jhu: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    out = jhu.copy()
    n = len(out)
    fips = out["fips"]
    admin2 = out["admin2"].fillna("").astype("str").str.strip()
    province = out["province_state"].fillna("").astype("str").str.strip()
    is_us = out["country_region"].isin(["US", "United States"]).to_numpy()

    # The code's form first (jhu_keys: every form the survey found); a US row in another form
    # fails the run rather than landing in no state or the wrong one.
    form = jhu_keys.fips_forms(fips, geo.states)
    jhu_keys.require_known(form[is_us], fips[is_us])
    # State from the code where it has one, else from the province's name.
    by_name = _per_value(province, lambda p: geo.state_fips_by_name.get(fold(p)))
    code_state = jhu_keys.state_of_fips(fips, form)
    state = code_state.where(fips.notna(), by_name)
    state = state.where(state.isin(list(geo.states)))
    county = fips.where(form.eq(jhu_keys.COUNTY))

    placement = np.full(n, "", dtype=object)
    rule = np.full(n, "", dtype=object)
    unassigned = admin2.str.lower().eq("unassigned") | form.eq(jhu_keys.UNASSIGNED)
    out_of = admin2.str.lower().str.startswith("out of") | form.eq(jhu_keys.OUT_OF)
    # A state's or territory's own row, whatever its code holds: '66', '00066', '66000' or none.
    state_level = (admin2.eq("") & ~unassigned & ~out_of
                   & form.isin([jhu_keys.EMPTY, *jhu_keys.STATE_FORMS]))

    def put(mask, where, why):
        m = np.asarray(mask, dtype=bool) & (placement == "")
        placement[m] = where
        rule[m] = why

    put(~is_us, NON_US, "non_us")
    put(province.str.lower().eq("recovered"), NATIONAL, "national")
    put(state.isna(), NO_STATE, "no_state")
    put(county.notna(), COUNTY, "")
    put(unassigned, STATE_OTHER, "unassigned")
    put(out_of, STATE_OTHER, "out_of")
    put(state_level, STATE_LEVEL, "state_level")
    # What is left: a county-like row without a usable code. Match its name within its state.
    todo = placement == ""
    pairs = pd.DataFrame({"s": state[todo], "a": admin2[todo]})
    found = {(s, a): geo.county_by_name(s, a) for s, a in pairs.drop_duplicates().itertuples(
        index=False)}
    matched = pd.Series([found[(s, a)] for s, a in pairs.itertuples(index=False)],
                        index=pairs.index, dtype="str")
    county = county.astype("str")
    county.loc[matched.index] = matched
    ok = np.zeros(n, dtype=bool)
    ok[np.flatnonzero(todo)] = matched.notna().to_numpy()
    put(ok, COUNTY, "matched")
    put(np.ones(n, dtype=bool), STATE_OTHER, "unmatched")

    out["placement"] = placement
    out["rule"] = rule
    out["state_fips"] = state.where(~np.isin(placement, [NON_US, NO_STATE, NATIONAL]))
    out["county_fips"] = county.where(placement == COUNTY)
    out["region"] = out["county_fips"].where(
        out["county_fips"].notna(),
        out["state_fips"].fillna("") + "|" + _per_value(admin2, fold) + "|"
        + _per_value(province, fold))
    return out
