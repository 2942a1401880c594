"""covid_lake_sources: the ten source datasets of the AWS COVID-19 data lake, where they live and
what they hold (object keys, formats, headers). Nothing else.

Its own package, beside the pipeline (covid_lake) and the emulator (local_aws), because both
need the list: the pipeline lands and reads these objects, the emulator seeds them (the sample
lake generator, the bucket's key list). Neither imports the other; both import this, which
imports nothing of the project. The pipeline reads it as covid_lake.domain.datasets.
Facts from ../shared/docs/covid19-lake.md.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE_BUCKET = "covid19-lake"
SOURCE_REGION = "us-east-2"


@dataclass(frozen=True)
class Dataset:
    name: str
    key: str  # object key in the source bucket
    fmt: str  # "csv", "csv.gz" or "jsonl" (one JSON record per line)
    columns: tuple[str, ...]  # as in the file, before a crawler lower-cases them
    description: str

    @property
    def filename(self) -> str:
        return self.key.rsplit("/", 1)[1]

    def raw_key(self, prefix: str = "raw") -> str:
        """Our copy: one folder per dataset, so a crawler makes one table named after it."""
        return f"{prefix}/{self.name}/{self.filename}"


def _cols(header: str) -> tuple[str, ...]:
    return tuple(header.split(","))


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "enigma_jhu",
        "enigma-jhu/csv/Enigma-JHU.csv.gz",
        "csv.gz",
        _cols("fips,admin2,province_state,country_region,last_update,latitude,longitude,"
              "confirmed,deaths,recovered,active,combined_key"),
        "JHU cases by region and report (several reports a day possible); non-US rows have no fips",
    ),
    Dataset(
        "us_county",
        "enigma-nytimes-data-in-usa/csv/us_county/us_county.csv",
        "csv",
        _cols("date,county,state,fips,cases,deaths"),
        "NYT cumulative cases and deaths per county per day",
    ),
    Dataset(
        "us_states",
        "enigma-nytimes-data-in-usa/csv/us_states/us_states.csv",
        "csv",
        _cols("date,state,fips,cases,deaths"),
        "NYT cumulative cases and deaths per state per day",
    ),
    Dataset(
        "states_daily",
        "rearc-covid-19-testing-data/csv/states_daily/states_daily.csv",
        "csv",
        _cols("date,state,positive,probableCases,negative,pending,totalTestResultsSource,"
              "totalTestResults,hospitalizedCurrently,hospitalizedCumulative,inIcuCurrently,"
              "inIcuCumulative,onVentilatorCurrently,onVentilatorCumulative,recovered,lastUpdateEt,"
              "dateModified,checkTimeEt,death,hospitalized,hospitalizedDischarged,dateChecked,"
              "totalTestsViral,positiveTestsViral,negativeTestsViral,positiveCasesViral,"
              "deathConfirmed,deathProbable,totalTestEncountersViral,totalTestsPeopleViral,"
              "totalTestsAntibody,positiveTestsAntibody,negativeTestsAntibody,"
              "totalTestsPeopleAntibody,positiveTestsPeopleAntibody,negativeTestsPeopleAntibody,"
              "totalTestsPeopleAntigen,positiveTestsPeopleAntigen,totalTestsAntigen,"
              "positiveTestsAntigen,fips,positiveIncrease,negativeIncrease,total,"
              "totalTestResultsIncrease,posNeg,dataQualityGrade,deathIncrease,hospitalizedIncrease,"
              "hash,commercialScore,negativeRegularScore,negativeScore,positiveScore,score,grade"),
        "COVID Tracking Project testing and hospital figures per state per day (date YYYYMMDD)",
    ),
    Dataset(
        "us_daily",
        "rearc-covid-19-testing-data/csv/us_daily/us_daily.csv",
        "csv",
        _cols("date,states,positive,negative,pending,hospitalizedCurrently,hospitalizedCumulative,"
              "inIcuCurrently,inIcuCumulative,onVentilatorCurrently,onVentilatorCumulative,"
              "dateChecked,death,hospitalized,totalTestResults,lastModified,recovered,total,posNeg,"
              "deathIncrease,hospitalizedIncrease,negativeIncrease,positiveIncrease,"
              "totalTestResultsIncrease,hash"),
        "COVID Tracking Project national totals per day",
    ),
    Dataset(
        "us_total_latest",
        "rearc-covid-19-testing-data/csv/us-total-latest/us.csv",
        "csv",
        _cols("positive,negative,pending,hospitalizedCurrently,hospitalizedCumulative,"
              "inIcuCurrently,inIcuCumulative,onVentilatorCurrently,onVentilatorCumulative,"
              "recovered,hash,lastModified,death,hospitalized,total,totalTestResults,posNeg,notes"),
        "COVID Tracking Project national totals, latest day only",
    ),
    Dataset(
        "hospital_beds",
        "rearc-usa-hospital-beds/json/usa-hospital-beds.geojson",
        "jsonl",
        _cols("objectid,hospital_name,hospital_type,hq_address,hq_address1,hq_city,hq_state,"
              "hq_zip_code,county_name,state_name,state_fips,cnty_fips,fips,num_licensed_beds,"
              "num_staffed_beds,num_icu_beds,adult_icu_beds,pedi_icu_beds,bed_utilization,"
              "avg_ventilator_usage,potential_increase_in_bed_capac,latitude,longtitude"),
        "US hospitals and bed counts; 'longtitude' is the source's spelling",
    ),
    Dataset(
        "countrycode",
        "static-datasets/csv/countrycode/CountryCodeQS.csv",
        "csv",
        _cols("Country,Alpha-2 code,Alpha-3 code,Numeric code,Latitude,Longitude"),
        "ISO country codes and centroids; the file starts with a byte-order mark",
    ),
    Dataset(
        "countypopulation",
        "static-datasets/csv/CountyPopulation/County_Population.csv",
        "csv",
        _cols("Id,Id2,County,State,Population Estimate 2018"),
        "2018 population estimate per county (Id2 is the 5-digit county FIPS)",
    ),
    Dataset(
        "state_abv",
        "static-datasets/csv/state-abv/states_abv.csv",
        "csv",
        _cols("State,Abbreviation"),
        "US state names and postal abbreviations; all strings, so a crawler misses the header",
    ),
)

BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}


def dataset(name: str) -> Dataset:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(BY_NAME)}") from None
