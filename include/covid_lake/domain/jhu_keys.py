"""The forms JHU's FIPS field takes over its history, and the state each form names.

Surveyed on every daily report from 2020-03-22 to 2020-07-27 and on 2020-12-31
(docs/source-key-forms.md). After `clean.pad_fips` (1-2 digits -> 2, 3-5 digits -> 5, so '1001'
is '01001' and '66' stays '66') a US row's fips is one of:

- missing: Unassigned / Out of XX until mid-April 2020, Puerto Rico's and the territories' own
  rows on some days, Recovered, counties JHU wrote without a code;
- a 2-digit state code, '66' (from April 2020 the territories' own rows);
- a zero-padded state code, '00066' (the territories' own rows, 2020-04-02 .. 04-12);
- a state code followed by 000, '66000' (the territories' own rows until 2020-04-01);
- a county, '01001' (written '1001' on some days);
- 'Out of <state>': 80 + the state ('80026'), or the state + 888 ('72888', from July 2020);
- Unassigned: 90 + the state ('90049'), or the state + 999 ('72999', from July 2020);
- a cruise ship, 88888 / 99999.

A code of any other shape is a form the rules do not know: the run fails naming it
(`require_known`) rather than guessing where the row belongs.
"""

from __future__ import annotations

import pandas as pd

from covid_lake.domain.errors import DataError

EMPTY, STATE, STATE_PADDED, STATE_000 = "empty", "state", "state_padded", "state_000"
COUNTY, OUT_OF, UNASSIGNED, SHIP, UNKNOWN = "county", "out_of", "unassigned", "ship", "unknown"
# The forms that name a state or territory as a whole (its own row when admin2 is empty).
STATE_FORMS = (STATE, STATE_PADDED, STATE_000)
SHIPS = ("88888", "99999")


class UnknownKeyFormError(DataError):
    """A JHU region key in a form the survey did not find and the rules do not place."""


def fips_forms(fips: pd.Series, states: frozenset[str]) -> pd.Series:
    """The form of each cleaned fips (module docstring); UNKNOWN for any other shape, or a
    code whose state is not one of `states`."""
    f = fips.astype("str")
    n = f.str.len()
    head, tail, last2 = f.str[:2], f.str[2:], f.str[3:5]
    known = list(states)
    form = pd.Series(UNKNOWN, index=fips.index, dtype="object")
    five = n.eq(5).fillna(False).astype(bool)
    rules = [
        (fips.isna(), EMPTY),
        (n.eq(2) & head.isin(known), STATE),
        (five & f.isin(SHIPS), SHIP),
        (five & f.str[:3].eq("000") & last2.isin(known), STATE_PADDED),
        (five & head.isin(["80"]) & last2.isin(known), OUT_OF),
        (five & head.isin(["90"]) & last2.isin(known), UNASSIGNED),
        (five & head.isin(known) & tail.eq("000"), STATE_000),
        (five & head.isin(known) & tail.eq("888"), OUT_OF),
        (five & head.isin(known) & tail.eq("999"), UNASSIGNED),
        (five & head.isin(known), COUNTY),
    ]
    todo = pd.Series(True, index=fips.index)
    for mask, name in rules:
        hit = todo & mask.fillna(False).astype(bool)
        form[hit] = name
        todo &= ~hit
    return form


def state_of_fips(fips: pd.Series, form: pd.Series) -> pd.Series:
    """The 2-digit state a code names, by its form; missing where the code names none (no code,
    a cruise ship, an unknown form)."""
    f = fips.astype("str")
    state = pd.Series(pd.NA, index=fips.index, dtype="str")
    by_head = form.isin([STATE, STATE_000, COUNTY]) | (
        form.isin([OUT_OF, UNASSIGNED]) & ~f.str[:2].isin(["80", "90"]))
    by_tail = form.eq(STATE_PADDED) | (form.isin([OUT_OF, UNASSIGNED]) & f.str[:2].isin(["80", "90"]))
    state[by_head] = f[by_head].str[:2]
    state[by_tail] = f[by_tail].str[3:5]
    return state


def require_known(form: pd.Series, fips: pd.Series, dataset: str = "enigma_jhu") -> None:
    """Fail on a key form the rules do not know, naming the dataset, the column and values."""
    bad = form.eq(UNKNOWN)
    if bad.any():
        values = fips[bad]
        examples = ", ".join(repr(v) for v in values.astype(str).unique()[:5])
        raise UnknownKeyFormError(
            f"{dataset}: column 'fips': {int(bad.sum())} US row(s) with a code in no known form "
            f"(docs/source-key-forms.md), e.g. {examples}; first at row {values.index[0]}"
        )
