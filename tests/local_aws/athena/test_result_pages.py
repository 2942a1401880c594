"""GetQueryResults formats only the page it answers (results.QueryResult.api_page): each page is
exactly that slice of the whole, header row included, for a SELECT's and a Hive statement's
result alike."""

from __future__ import annotations

import pytest

from local_aws.athena.results import QueryResult

SELECT = QueryResult([("n", "BIGINT"), ("s", "VARCHAR")], [(i, f"v{i}" if i % 3 else None) for i in range(7)])
HIVE = QueryResult([("tab_name", "VARCHAR")], [("a",), ("b",), ("c",)], hive_text=True)


@pytest.mark.parametrize("result", [SELECT, HIVE, QueryResult([], [])], ids=["select", "hive", "empty"])
@pytest.mark.parametrize("start, count", [(0, 1), (0, 3), (1, 2), (2, 5), (7, 1), (8, 1000), (0, 1000)])
def test_a_page_is_that_slice_of_all_rows(result, start, count):
    everything = [[c for c, _ in result.columns]] if result.columns and not result.hive_text else []
    everything += [[None if v is None else str(v) for v in row] for row in result.rows]
    assert result.api_rows() == everything
    assert result.api_row_count() == len(everything)
    assert result.api_page(start, count) == everything[start:start + count]
