"""Comparisons Trino refuses to plan, refused here too: DuckDB would cast one side and answer.

Trino has no implicit cast between character and numeric types (or boolean): `state = 1` with
state a varchar, or `cases = '10'` with cases a bigint, fails with TYPE_MISMATCH, "Cannot apply
operator: varchar = integer" (Trino's StandardErrorCode TYPE_MISMATCH; the rule:
https://trino.io/docs/current/language/types.html, "no implicit conversion" between string and
number types, and Trino's answers in trinodb/trino issues 20845 and 13492). DuckDB casts the
varchar side instead, and answers, or fails a row later with a conversion error.
"""

from __future__ import annotations

from sqlglot import exp

from local_aws.athena.exceptions import AthenaQueryError

T = exp.DataType.Type
_TEXT = {T.VARCHAR: "varchar", T.TEXT: "varchar", T.CHAR: "char", T.NCHAR: "char", T.NVARCHAR: "varchar"}
_OTHER = {T.TINYINT: "tinyint", T.SMALLINT: "smallint", T.INT: "integer", T.BIGINT: "bigint",
          T.DOUBLE: "double", T.FLOAT: "real", T.DECIMAL: "decimal", T.BOOLEAN: "boolean"}
# Operands whose type sqlglot knows as Trino does: a catalog column, a literal, a cast.
_TYPED_EXACTLY = (exp.Column, exp.Literal, exp.Boolean, exp.Cast, exp.Neg)
_OPERATORS = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}


def _name(node: exp.Expression, kind: exp.DataType) -> str:
    if kind.this in _TEXT and isinstance(node, exp.Literal) and node.is_string:
        return f"varchar({len(node.this)})"  # Trino types the literal 'NY' varchar(2)
    return _TEXT.get(kind.this) or _OTHER[kind.this]


def check_comparisons(tree: exp.Expression, types: dict[int, exp.DataType]) -> None:
    """types: sqlglot's type of each node, by the node's meta trino_id (trino_functions._annotate)."""
    for node in tree.find_all(*_OPERATORS):
        left, right = node.this, node.expression
        if not all(isinstance(n.unnest(), _TYPED_EXACTLY) for n in (left, right)):
            continue  # ANY / ALL, subqueries, functions: sqlglot's type may not be Trino's
        left_type, right_type = (types.get(n.meta.get("trino_id", -1)) for n in (left, right))
        if left_type is None or right_type is None:
            continue
        kinds = {left_type.this, right_type.this}
        if kinds & set(_TEXT) and kinds & set(_OTHER):
            raise AthenaQueryError("TYPE_MISMATCH", f"Cannot apply operator: {_name(left, left_type)} "
                                   f"{_OPERATORS[type(node)]} {_name(right, right_type)}")
