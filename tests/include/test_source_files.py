"""source_files: damaged copies of the real lake files (and the sample's) fail with the dataset,
the object key and the problem named; the real files, quirks and all, pass."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from covid_lake.domain.datasets import BY_NAME, DATASETS
from covid_lake.domain.source_files import SourceFileError, check
from tests.support.real_lake import REAL_LAKE, SKIP_REASON

needs_real = pytest.mark.skipif(not REAL_LAKE.exists(), reason=SKIP_REASON)


def run(name: str, data: bytes, chunk: int = 1 << 16):
    ds = BY_NAME[name]
    return check(ds, f"s3://covid19-lake/{ds.key}", (data[i:i + chunk]
                                                     for i in range(0, len(data), chunk)))


def real(name: str) -> bytes:
    return (REAL_LAKE / BY_NAME[name].key).read_bytes()


def data_rows(name: str, data: bytes) -> int:
    """Counted by hand: csv records after the header, or non-blank JSON lines."""
    if BY_NAME[name].fmt.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8-sig")
    if BY_NAME[name].fmt == "jsonl":
        return sum(1 for line in text.splitlines() if line.strip())
    return sum(1 for row in csv.reader(io.StringIO(text)) if row) - 1


@needs_real
@pytest.mark.parametrize("name", [d.name for d in DATASETS])
def test_every_real_file_passes_with_its_quirks(name):
    data = real(name)
    stats = run(name, data, chunk=7)  # tiny chunks: multi-byte characters and CRLF split apart
    assert stats.bytes == len(data)
    assert stats.records == data_rows(name, data)


def test_every_sample_file_passes(small_lake):
    for ds in DATASETS:
        data = (small_lake / ds.key).read_bytes()
        assert run(ds.name, data).records == data_rows(ds.name, data)


def fails(name: str, data: bytes, *expected: str) -> str:
    with pytest.raises(SourceFileError) as info:
        run(name, data)
    message = str(info.value)
    assert message.startswith(f"dataset {name}: source object s3://covid19-lake/"
                              f"{BY_NAME[name].key} "), message
    for part in expected:
        assert part in message, message
    return message


@needs_real
def test_a_truncated_gzip_is_named():
    data = real("enigma_jhu")
    fails("enigma_jhu", data[: len(data) // 2], "is a truncated gzip file",
          f"ends after {len(data) // 2:,} bytes")


@needs_real
def test_a_corrupt_gzip_and_a_file_that_is_not_gzip_are_named():
    data = bytearray(real("enigma_jhu"))
    data[5000:5010] = b"\x00" * 10
    fails("enigma_jhu", bytes(data), "is not a valid gzip file")
    fails("enigma_jhu", gzip.decompress(real("enigma_jhu")), "is not a valid gzip file")


@needs_real
def test_a_byte_that_is_not_utf8_is_named_with_its_line():
    lines = real("us_states").split(b"\n")
    lines[96] = lines[96].replace(b",", b"\xff,", 1)  # line 97 of the file
    fails("us_states", b"\n".join(lines), "is not UTF-8: byte 0xff at line 97")
    # inside the gzip too, where Athena would say only "HIVE_BAD_DATA: CSV Error on Line: 97"
    jhu = gzip.decompress(real("enigma_jhu")).split(b"\n")
    jhu[1234] = jhu[1234] + b"\xe9"
    fails("enigma_jhu", gzip.compress(b"\n".join(jhu)), "is not UTF-8: byte 0xe9 at line 1,235")


@needs_real
def test_a_changed_header_names_the_missing_column():
    text = real("us_states").decode()
    fails("us_states", text.replace("cases", "confirmed_cases", 1).encode(),
          "has a changed header: column(s) ['cases'] missing")
    # an added column is not a defect: the pipeline reads by name
    header, rest = text.split("\n", 1)
    widened = header + ",note\n" + "".join(line + ",\n" for line in rest.splitlines())
    assert run("us_states", widened.encode()).records == 3754


@needs_real
def test_empty_and_header_only_files_are_named():
    fails("us_states", b"", "is empty (0 bytes)")
    header = real("us_states").split(b"\n", 1)[0] + b"\n"
    fails("us_states", header, "has no data rows (header only)")
    fails("hospital_beds", b"\n\n", "has no data rows")


@needs_real
def test_malformed_csv_records_are_named():
    lines = real("us_county").split(b"\n")
    lines[10] += b",extra"
    fails("us_county", b"\n".join(lines), "is malformed CSV: record 10 (line 11) has 7 fields, "
                                          "the header 6")
    fails("us_county", real("us_county") + b'2020-04-02,"Autauga,Alabama,01001,7,0\n',
          "is malformed CSV")


@needs_real
def test_truncated_and_malformed_json_lines_are_named():
    data = real("hospital_beds")
    fails("hospital_beds", data[: len(data) - 200], "is malformed JSON at line 6,637")
    lines = data.split(b"\n")
    lines[3] = b"[1, 2]"
    fails("hospital_beds", b"\n".join(lines), "line 4 is a list, not an object")
    first = json.loads(lines[0])
    del first["NUM_STAFFED_BEDS"]
    fails("hospital_beds", json.dumps(first).encode() + b"\n" + data,
          "has changed fields: ['num_staffed_beds'] missing")
