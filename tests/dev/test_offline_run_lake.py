"""`make run LAKE=DIR` / `make airflow LAKE=DIR`: options, dates, and a state apart from the sample's."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import urllib.request

import pytest

from covid_lake.domain.datasets import DATASETS
from covid_lake_dev import local_airflow, offline_run
from covid_lake_dev.local_stack import LOCAL, ROOT, Emulator, lake_state_dir


def test_sample_defaults_are_unchanged():
    args = offline_run.parse_args([])
    assert (args.scale, args.lake, args.start, args.days) == ("small", None, dt.date(2020, 4, 1), 3)
    assert args.local_dir == LOCAL


def test_lake_runs_default_to_the_real_copys_last_three_days(tmp_path):
    args = offline_run.parse_args(["--lake", str(tmp_path)])
    assert (args.scale, args.lake, args.start, args.days) == (None, tmp_path, dt.date(2020, 3, 30), 3)
    args = offline_run.parse_args(["--lake", str(tmp_path), "--start", "2020-03-26", "--days", "2"])
    assert (args.start, args.days) == (dt.date(2020, 3, 26), 2)


def test_lake_and_scale_are_alternatives(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        offline_run.parse_args(["--lake", str(tmp_path), "--scale", "full"])
    assert exc.value.code == 2
    assert "--lake and --scale are alternatives" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        local_airflow.main(["--lake", str(tmp_path), "--scale", "small"])
    assert exc.value.code == 2


def test_lake_state_dir_is_apart_from_the_sample_and_per_directory(tmp_path):
    a, b = tmp_path / "a" / "lake", tmp_path / "b" / "lake"
    assert lake_state_dir(a).parent == LOCAL / "aws-lake"
    assert lake_state_dir(a) != lake_state_dir(b) and lake_state_dir(a).name.startswith("lake-")
    assert lake_state_dir(a) == lake_state_dir(tmp_path / "a" / "." / "lake")  # same directory
    assert lake_state_dir(a, tmp_path / "local") == tmp_path / "local" / "aws-lake" / lake_state_dir(a).name
    assert Emulator(0, "small").state_dir == LOCAL / "aws"
    assert Emulator(0, None, tmp_path, lake=a).state_dir == lake_state_dir(a, tmp_path)


def test_emulator_seeds_the_bucket_from_the_lake(small_lake, tmp_path):
    with Emulator(0, None, tmp_path, lake=small_lake) as emu:
        with urllib.request.urlopen(f"{emu.endpoint}/_local_aws/health", timeout=10) as resp:
            assert json.load(resp)["state_dir"] == str(lake_state_dir(small_lake, tmp_path))
        assert emu.lake_sync["dir"] == str(small_lake)
        assert sorted(emu.lake_sync["put"]) == sorted(d.key for d in DATASETS)
    assert not (tmp_path / "aws").exists()  # the sample's state is left alone


def test_emulator_reports_a_bad_lake_and_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        with Emulator(0, None, tmp_path, lake=tmp_path / "nowhere"):
            pass
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"--lake {tmp_path / 'nowhere'} does not exist" in err
    assert str(tmp_path / "nowhere" / DATASETS[0].key) in err


@pytest.mark.parametrize("make_args, expected", [
    ([], "-m covid_lake_dev.offline_run --scale small"),
    (["LAKE=/data/lake"], '-m covid_lake_dev.offline_run --lake "/data/lake"'),
    (["LAKE=/data/lake", "START=2020-03-31", "DAYS=2"],
     '-m covid_lake_dev.offline_run --lake "/data/lake" --start 2020-03-31 --days 2'),
    (["LAKE=/data/lake", "SCALE=full"], '--lake "/data/lake" --scale full'),  # refused by offline_run
])
def test_make_run_passes_the_options(make_args, expected):
    done = subprocess.run(["make", "--no-print-directory", "-n", "run", *make_args], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert expected in " ".join(done.stdout.splitlines()[-1].split())


def test_make_airflow_and_fetch_lake_pass_the_options():
    def dry(*args: str) -> str:
        done = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return " ".join(done.stdout.splitlines()[-1].split())

    assert '-m covid_lake_dev.local_airflow --lake "/data/lake"' in dry("airflow", "LAKE=/data/lake")
    assert '-m covid_lake_dev.fetch_lake "/data/lake"' in dry("fetch-lake", "DIR=/data/lake")
    assert "--endpoint-url http://127.0.0.1:9" in dry("fetch-lake", "DIR=/x", "ENDPOINT_URL=http://127.0.0.1:9")
