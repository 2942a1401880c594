"""File-level checks of a source object, read as a stream before it is landed.

The land step runs these on a source object whose ETag changed, before copying it over our raw
copy: a damaged file fails there, naming the dataset, the object key and the problem, instead of
failing later inside the crawler ("EOFError: Compressed file ended before the end-of-stream
marker was reached") or Athena ("HIVE_BAD_DATA: CSV Error on Line: 97") without a name.

What is a file-level defect (SourceFileError, a DataError: no retries):
- the object is empty, or has a header and no data rows;
- .gz: not gzip, or truncated (no end-of-stream marker), or corrupt;
- a byte sequence that is not UTF-8 (the lake's files are UTF-8; one has a byte-order mark);
- CSV: a column the header should have is missing (extra columns are accepted: the pipeline
  reads by name); a record whose field count differs from the header's; a quote never closed;
- JSON lines: a line that is not a JSON object (a truncated last record included).

Quirks of the real files that are not defects (../shared/real-lake/README.md): the byte-order
mark of CountryCodeQS.csv, CRLF line endings, no final newline (us.csv), quoted fields with
doubled quotes and commas, U+FFFD characters in County_Population.csv (valid UTF-8).
"""

from __future__ import annotations

import codecs
import csv
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from covid_lake.domain.datasets import Dataset
from covid_lake.domain.errors import DataError

_CHUNK = 1 << 20


class SourceFileError(DataError):
    """A source object is damaged; the message names dataset, key and problem."""


@dataclass(frozen=True)
class FileStats:
    bytes: int
    records: int  # data rows (CSV, after the header) or JSON records


def check(ds: Dataset, key: str, chunks: Iterable[bytes]) -> FileStats:
    """Read the object's bytes (an iterable of chunks, e.g. a boto3 body's iter_chunks()) and
    raise SourceFileError at its first defect; the counts when it has none."""
    reader = _Reader(ds, key)
    lines = reader.lines(chunks)
    records = _jsonl(reader, lines) if ds.fmt == "jsonl" else _csv(reader, ds, lines)
    if reader.size == 0:
        raise reader.error("is empty (0 bytes)")
    if records == 0:
        raise reader.error("has no data rows" + ("" if ds.fmt == "jsonl" else " (header only)"))
    return FileStats(reader.size, records)


class _Reader:
    """Bytes -> decompressed -> UTF-8 text lines, with the position of a failure."""

    def __init__(self, ds: Dataset, key: str):
        self.ds, self.key = ds, key
        self.size = 0
        self.line_no = 0

    def error(self, problem: str) -> SourceFileError:
        return SourceFileError(f"dataset {self.ds.name}: source object {self.key} {problem}")

    def _raw(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.size += len(chunk)
            yield chunk

    def _gunzip(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        inflate = zlib.decompressobj(wbits=31)  # gzip header and trailer
        seen = 0
        for chunk in chunks:
            seen += len(chunk)
            data = chunk
            while data:
                try:
                    out = inflate.decompress(data)
                except zlib.error as exc:
                    raise self.error(f"is not a valid gzip file (at compressed byte ~{seen:,}: "
                                     f"{exc})") from None
                if out:
                    yield out
                data = inflate.unused_data
                if data:  # a concatenated gzip member follows (valid gzip)
                    inflate = zlib.decompressobj(wbits=31)
        if not inflate.eof and seen:
            raise self.error(f"is a truncated gzip file: the compressed stream ends after "
                             f"{seen:,} bytes, before its end-of-stream marker")

    def lines(self, chunks: Iterable[bytes]) -> Iterator[str]:
        data = self._raw(iter(chunks))
        if self.ds.fmt.endswith(".gz"):
            data = self._gunzip(data)
        decode = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        offset = 0
        for chunk in data:
            try:
                text = decode.decode(chunk)
            except UnicodeDecodeError as exc:
                raise self._not_utf8(pending, chunk, exc, offset) from None
            offset += len(chunk)
            pending += text
            parts = pending.splitlines(keepends=True)
            pending = parts.pop() if parts and not parts[-1].endswith(("\n", "\r")) else ""
            for line in parts:
                self.line_no += 1
                yield line
        try:
            pending += decode.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise self._not_utf8(pending, b"", exc, offset) from None
        if pending:
            self.line_no += 1
            yield pending

    def _not_utf8(self, pending: str, chunk: bytes, exc: UnicodeDecodeError,
                  offset: int) -> SourceFileError:
        good = chunk[: exc.start].decode("utf-8", errors="replace")
        line = self.line_no + (pending + good).count("\n") + 1
        bad = exc.object[exc.start: exc.start + 4]
        return self.error(f"is not UTF-8: byte 0x{bad[0]:02x} at line {line:,} "
                          f"(decompressed byte {offset + exc.start:,}: {exc.reason})")


def _csv(reader: _Reader, ds: Dataset, lines: Iterator[str]) -> int:
    rows = csv.reader(lines, strict=True)
    try:
        header = next(rows, None)
        if header is None:
            return 0
        header = [h.lstrip("\ufeff").strip() for h in header]
        missing = [c for c in ds.columns if c.lower() not in {h.lower() for h in header}]
        if missing:
            raise reader.error(f"has a changed header: column(s) {missing} missing "
                               f"(header: {','.join(header)[:300]})")
        width = len(header)
        records = 0
        for row in rows:
            if not row:
                continue  # a blank line: csv gives [], Athena skips it too
            records += 1
            if len(row) != width:
                raise reader.error(f"is malformed CSV: record {records:,} (line "
                                   f"{reader.line_no:,}) has {len(row)} fields, the header "
                                   f"{width}")
    except csv.Error as exc:
        raise reader.error(f"is malformed CSV at line {reader.line_no:,}: {exc}") from None
    return records


def _jsonl(reader: _Reader, lines: Iterator[str]) -> int:
    records = 0
    required = {c.lower() for c in reader.ds.columns}
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise reader.error(f"is malformed JSON at line {reader.line_no:,}: {exc.msg} "
                               f"(column {exc.colno})") from None
        if not isinstance(record, dict):
            raise reader.error(f"is malformed JSON lines: line {reader.line_no:,} is a "
                               f"{type(record).__name__}, not an object")
        if records == 0:
            missing = sorted(required - {k.lower() for k in record})
            if missing:
                raise reader.error(f"has changed fields: {missing} missing from the first "
                                   f"record")
        records += 1
    return records
