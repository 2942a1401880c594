"""The report's charts as Vega-Lite specs, built with altair from the figures' DataFrames.

Each function returns a chart, or None when its data is empty (the page then says so)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from covid_lake.report.figures import SOURCES

WIDTH = 640
COUNTY_SHAPES = "county_shapes"
SOURCE_COLORS = alt.Scale(domain=["JHU", "NYT", "COVID Tracking"],
                          range=["#1f77b4", "#ff7f0e", "#2ca02c"])


def state_sources(wide: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Cases and deaths over time for the state picked in a selector, one line per source;
    days where the sources disagree (columns cases_disagree, deaths_disagree) carry red marks.
    The data stays wide (a row per state and day) and is folded in the browser: a third of the
    size of one row per source."""
    if wide.empty:
        return None
    states = sorted(wide["state_name"].unique())
    biggest = wide.sort_values("jhu_cases")["state_name"].dropna()
    state = alt.param(name="state", value=biggest.iloc[-1] if len(biggest) else states[0],
                      bind=alt.binding_select(options=states, name="State "))
    columns = {column: f"{source}|{measure}" for source, by_measure in SOURCES.items()
               for measure, column in by_measure.items()}
    data = wide[["date", "state_name", *columns, "cases_disagree", "deaths_disagree"]].rename(
        columns=columns).assign(date=wide["date"].astype(str))
    panels = []
    for measure in ("cases", "deaths"):
        base = (alt.Chart(data).transform_filter(alt.datum.state_name == state)
                .transform_fold([f"{source}|{measure}" for source in SOURCES],
                                as_=["series", "value"])
                .transform_filter("isValid(datum.value)")
                .transform_calculate(source="split(datum.series, '|')[0]"))
        x = alt.X("yearmonthdate(date):T", title=None,
                  axis=alt.Axis(format="%b %d", tickCount="day"))
        lines = base.mark_line(point=True).encode(
            x=x, y=alt.Y("value:Q", title=f"cumulative {measure}"),
            color=alt.Color("source:N", scale=SOURCE_COLORS, title="source"),
            tooltip=[alt.Tooltip("yearmonthdate(date):T", title="date"), "state_name:N",
                     "source:N", alt.Tooltip("value:Q", format=",")])
        marks = base.transform_filter(f"datum.{measure}_disagree").mark_point(
            shape="triangle-up", size=90, color="#d62728", filled=True).encode(
            x=x, y="value:Q",
            tooltip=[alt.Tooltip("yearmonthdate(date):T", title="date"), "source:N",
                     alt.Tooltip("value:Q", format=",")])
        panels.append(alt.layer(lines, marks).properties(width=WIDTH, height=220,
                                                         title=measure.capitalize()))
    return alt.vconcat(*panels).add_params(state)


def county_map(counties: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Counties coloured by cases per 100,000 people; grey where there is no figure. The
    spec needs the boundaries added: with_county_shapes."""
    if counties.empty:
        return None
    rates = counties.dropna(subset=["cases_per_100k"])[
        ["fips", "county_name", "state_abbr", "cases", "population", "cases_per_100k"]]
    # The boundaries are a named dataset the page adds to the spec (with_county_shapes): altair
    # would validate 3,233 polygons against the Vega-Lite schema, seconds for nothing.
    shapes = alt.NamedData(name=COUNTY_SHAPES)
    base = alt.Chart(shapes).mark_geoshape(fill="#e5e5e5", stroke="white", strokeWidth=0.2)
    colored = alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.2).transform_lookup(
        lookup="properties.fips",
        from_=alt.LookupData(data=rates, key="fips",
                             fields=["county_name", "state_abbr", "cases", "population",
                                     "cases_per_100k"]),
    ).transform_filter("isValid(datum.cases_per_100k)").encode(
        color=alt.Color("cases_per_100k:Q", title="cases per 100k",
                        scale=alt.Scale(type="symlog", scheme="reds")),
        tooltip=[alt.Tooltip("county_name:N", title="county"), alt.Tooltip("state_abbr:N",
                 title="state"), alt.Tooltip("cases:Q", format=","),
                 alt.Tooltip("population:Q", format=","),
                 alt.Tooltip("cases_per_100k:Q", format=",.1f", title="per 100k")])
    return alt.layer(base, colored).project("albersUsa").properties(width=WIDTH + 160,
                                                                    height=480)


def testing(frame: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Tests per 100,000 people against the share of tests that were positive, one dot a state."""
    data = frame.dropna(subset=["tests_per_100k", "positivity"]) if not frame.empty else frame
    if data.empty:
        return None
    base = alt.Chart(data).encode(
        x=alt.X("tests_per_100k:Q", title="tests per 100k people"),
        y=alt.Y("positivity:Q", title="share of tests positive", axis=alt.Axis(format="%")))
    dots = base.mark_circle(size=70, color="#6a51a3").encode(
        tooltip=["state_name:N", alt.Tooltip("total_test_results:Q", format=","),
                 alt.Tooltip("positive:Q", format=","),
                 alt.Tooltip("tests_per_100k:Q", format=",.0f"),
                 alt.Tooltip("positivity:Q", format=".1%")])
    labels = base.mark_text(dx=9, align="left", fontSize=10).encode(text="state_abbr:N")
    return alt.layer(dots, labels).properties(width=WIDTH, height=380)


def hospital_capacity(frame: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Staffed and ICU beds per 100,000 people against cases per 100,000, one dot a state and
    bed kind."""
    if frame.empty:
        return None
    long = frame.melt(id_vars=["state_abbr", "state_name", "cases_per_100k"],
                      value_vars=["staffed_beds_per_100k", "icu_beds_per_100k"],
                      var_name="beds", value_name="beds_per_100k")
    long["beds"] = long["beds"].map({"staffed_beds_per_100k": "staffed beds",
                                     "icu_beds_per_100k": "ICU beds"})
    long = long.dropna(subset=["cases_per_100k", "beds_per_100k"])
    if long.empty:
        return None
    base = alt.Chart(long).encode(
        x=alt.X("cases_per_100k:Q", title="cases per 100k people (latest date)"),
        y=alt.Y("beds_per_100k:Q", title="beds per 100k people"),
        color=alt.Color("beds:N", title="beds"))
    dots = base.mark_circle(size=70).encode(
        tooltip=["state_name:N", "beds:N", alt.Tooltip("beds_per_100k:Q", format=",.1f"),
                 alt.Tooltip("cases_per_100k:Q", format=",.1f")])
    labels = base.mark_text(dx=9, align="left", fontSize=10).encode(text="state_abbr:N")
    return alt.layer(dots, labels).properties(width=WIDTH, height=380)


def data_quality(loaded: pd.DataFrame, left_out: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Per run date: rows loaded per table, and rows left out per dataset and reason."""
    panels = []
    if not loaded.empty:
        panels.append(alt.Chart(loaded).mark_bar().encode(
            x=alt.X("run_date:O", title="run date"),
            y=alt.Y("row_count:Q", title="rows loaded"),
            color=alt.Color("table:N"),
            tooltip=["run_date:O", "table:N", alt.Tooltip("row_count:Q", format=",")],
        ).properties(width=WIDTH, height=200, title="Rows loaded per table"))
    if not left_out.empty:
        data = left_out.assign(rule=left_out["dataset"] + " · " + left_out["kind"] + ": "
                               + left_out["reason"])
        panels.append(alt.Chart(data).mark_bar().encode(
            x=alt.X("run_date:O", title="run date"),
            y=alt.Y("row_count:Q", title="rows left out or resolved"),
            color=alt.Color("rule:N", legend=alt.Legend(labelLimit=420, orient="bottom",
                                                        columns=1)),
            tooltip=["run_date:O", "dataset:N", "kind:N", "reason:N",
                     alt.Tooltip("row_count:Q", format=","), alt.Tooltip("of_rows:Q", format=",")],
        ).properties(width=WIDTH, height=200, title="Rows left out or resolved, per rule"))
    return alt.vconcat(*panels) if panels else None


def with_county_shapes(spec: dict, boundaries: dict) -> dict:
    """The county map's spec with the boundaries (a GeoJSON FeatureCollection) as its named
    dataset: one feature a datum."""
    return {**spec, "datasets": {**spec.get("datasets", {}),
                                 COUNTY_SHAPES: boundaries["features"]}}
