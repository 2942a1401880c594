"""Redshift UNLOAD: a query's rows written to S3 as Redshift writes them.

https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html, as far as local_aws follows it:

* UNLOAD ('select ...') or UNLOAD ($$select ...$$) TO 's3://bucket/name-prefix' authorization
  [options]; the query is Redshift SQL, run in the statement's own transaction and session;
* formats: the default pipe-delimited text, CSV, PARQUET; HEADER, DELIMITER, ADDQUOTES,
  NULL AS, GZIP, EXTENSION, ALLOWOVERWRITE, PARALLEL ON|OFF; authorization (IAM_ROLE,
  CREDENTIALS, ACCESS_KEY_ID, ...) and REGION are accepted and change nothing here;
* the files: one slice, so one file: <name-prefix>0000_part_00 (PARALLEL ON, the default) or
  <name-prefix>000 (PARALLEL OFF), with .parquet for Parquet, .gz after GZIP and .<EXTENSION>;
* "By default, UNLOAD fails if it finds files that it would possibly overwrite": an object
  already under the name prefix fails the statement unless ALLOWOVERWRITE;
* text and CSV write NULL as an empty string (or NULL AS's string), booleans as t / f,
  timestamps as 'YYYY-MM-DD HH:MI:SS'.

Any other option (MANIFEST, PARTITION BY, JSON, MAXFILESIZE, FIXEDWIDTH, ESCAPE, BZIP2, ZSTD,
ENCRYPTED, ...) fails the statement naming it, rather than writing something else.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass
from typing import Any, Literal

from local_aws.redshift.options import OptionWords

_HEAD = re.compile(
    r"""^\s*UNLOAD\s*\(\s*(?:\$\$(?P<dollar>.*?)\$\$|'(?P<quoted>(?:[^']|'')*)')\s*\)\s*
        TO\s+'(?P<target>[^']*)'(?P<rest>.*)$""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE)
_AUTHORIZATION = {"IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY",
                  "SESSION_TOKEN", "REGION"}


class UnloadError(ValueError):
    """An UNLOAD local_aws cannot run as written; the message is the statement's Error."""


@dataclass(frozen=True)
class UnloadCommand:
    query: str  # Redshift SQL
    target: str  # s3://bucket/name-prefix
    format: Literal["text", "csv", "parquet"] = "text"
    header: bool = False
    delimiter: str | None = None  # None: the format's own ('|' for text, ',' for CSV)
    add_quotes: bool = False
    null_as: str = ""
    gzip: bool = False
    extension: str | None = None
    allow_overwrite: bool = False
    parallel: bool = True

    def key(self, prefix: str) -> str:
        name = prefix + ("0000_part_00" if self.parallel else "000")
        if self.format == "parquet":
            name += ".parquet"
        if self.extension:
            name += "." + self.extension.lstrip(".")
        if self.gzip:
            name += ".gz"
        return name


def parse_unload(statement: str) -> UnloadCommand:
    match = _HEAD.match(statement)
    if not match:
        raise UnloadError("syntax error in UNLOAD: expected UNLOAD ('select ...') TO "
                          "'s3://bucket/prefix' authorization [options]")
    query = match["dollar"] if match["dollar"] is not None else match["quoted"].replace("''", "'")
    if not match["target"].startswith("s3://"):
        raise UnloadError(f"UNLOAD to {match['target']!r}: only s3:// targets exist")
    words = OptionWords(match["rest"], "UNLOAD", UnloadError)
    options: dict[str, Any] = {}
    while (raw := words.next()) is not None:
        word = raw.upper()
        if word == ";":
            break
        if word == "FORMAT":
            word = words.value("FORMAT").upper()
        if word in ("CSV", "PARQUET"):
            options["format"] = word.lower()
        elif word == "HEADER":
            options["header"] = True
        elif word == "DELIMITER":
            options["delimiter"] = words.value(word)
        elif word == "ADDQUOTES":
            options["add_quotes"] = True
        elif word == "NULL":
            options["null_as"] = words.value(word)
        elif word == "GZIP":
            options["gzip"] = True
        elif word == "EXTENSION":
            options["extension"] = words.value(word)
        elif word == "ALLOWOVERWRITE":
            options["allow_overwrite"] = True
        elif word == "PARALLEL":
            if (words.peek() or "").upper() in ("ON", "TRUE", "OFF", "FALSE"):
                options["parallel"] = words.next().upper() in ("ON", "TRUE")
        elif word in _AUTHORIZATION:
            words.value(word)
        else:
            raise UnloadError(f"UNLOAD option {raw} is not supported by local_aws")
    command = UnloadCommand(query=query, target=match["target"], **options)
    if command.format == "parquet" and (command.header or command.delimiter or command.add_quotes
                                        or command.gzip or command.null_as):
        raise UnloadError("UNLOAD FORMAT PARQUET takes no HEADER, DELIMITER, ADDQUOTES, NULL AS "
                          "or GZIP")
    if command.format == "csv" and command.add_quotes:
        raise UnloadError("UNLOAD ADDQUOTES cannot be used with CSV")
    return command


def _text(value: Any, null_as: str) -> str:
    if value is None:
        return null_as
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def delimited(command: UnloadCommand, names: list[str], rows: list[tuple]) -> bytes:
    """The rows as Redshift writes text or CSV (gzip-compressed after GZIP)."""
    out = io.StringIO()
    if command.format == "csv":
        writer = csv.writer(out, delimiter=command.delimiter or ",", lineterminator="\n")
        if command.header:
            writer.writerow(names)
        writer.writerows([_text(v, command.null_as) for v in row] for row in rows)
    else:
        delimiter = command.delimiter or "|"
        quote = (lambda s: '"' + s + '"') if command.add_quotes else (lambda s: s)
        if command.header:
            out.write(delimiter.join(quote(n) for n in names) + "\n")
        for row in rows:
            out.write(delimiter.join(quote(_text(v, command.null_as)) for v in row) + "\n")
    data = out.getvalue().encode()
    return gzip.compress(data, mtime=0) if command.gzip else data
