"""Trino's semantics for Athena queries, rewritten on the sqlglot tree before it is written as DuckDB.

sqlglot translates Trino's syntax to DuckDB's, but where the two engines type or compute an
operator or function differently the translation alone gives a silently different answer. Each
rewrite here makes DuckDB compute what Trino documents; what cannot be matched fails the query
with NOT_SUPPORTED instead. Operand types come from sqlglot's annotate_types, run on a qualified
copy of the query with the catalog's column types (the rewrites need to know, say, that a
column is a date or a decimal(10,2)).

Where each rule is documented:
https://trino.io/docs/current/functions/decimal.html (decimal results),
https://trino.io/docs/current/functions/math.html, https://trino.io/docs/current/language/types.html
(double is IEEE 754: x / 0e0 is Infinity or NaN), https://trino.io/docs/current/functions/datetime.html
(date + interval is a date), https://trino.io/docs/current/functions/string.html,
https://trino.io/docs/current/functions/regexp.html, https://trino.io/docs/current/functions/array.html.
The DuckDB macros the rewrites call are in trino_macros.py.

Why this long: one visitor class (_Rewriter) with a method per Trino function or operator it
maps, and one dispatch table; split by function family, a rewrite's type rules (shared helpers
such as _cast and _number_type) would be spread over several files.
"""

from __future__ import annotations

import logging
import re

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope
from sqlglot.schema import MappingSchema

from local_aws.athena import type_checks
from local_aws.athena.exceptions import AthenaQueryError

log = logging.getLogger(__name__)

T = exp.DataType.Type

_INTEGER_DECIMALS = {T.TINYINT: (3, 0), T.SMALLINT: (5, 0), T.INT: (10, 0), T.BIGINT: (19, 0)}
_FLOATING = {T.DOUBLE, T.FLOAT}
_DAY_OR_LONGER = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}
_TYPEOF = {
    T.TINYINT: "tinyint", T.SMALLINT: "smallint", T.INT: "integer", T.BIGINT: "bigint",
    T.DOUBLE: "double", T.FLOAT: "real", T.BOOLEAN: "boolean", T.DATE: "date",
    T.VARCHAR: "varchar", T.TEXT: "varchar",
}
# Joda-Time pattern letters (format_datetime) as DuckDB strftime specifiers; counts matter.
_JODA = {
    "yyyy": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m", "dd": "%d",
    "d": "%-d", "HH": "%H", "H": "%-H", "hh": "%I", "mm": "%M", "ss": "%S", "SSS": "%g",
    "a": "%p", "EEEE": "%A", "EEE": "%a", "DDD": "%j",
}


class _Unsupported(Exception):
    pass


def not_supported(message: str) -> Exception:
    return AthenaQueryError("NOT_SUPPORTED", f"local_aws does not {message}")


def rewrite(tree: exp.Expression, schema: dict, default_database: str) -> None:
    """Rewrite the query in place; schema: {database: {table: {column: DuckDB type}}}.

    Subqueries and CTEs come first, and the query is typed again after one changed: a column
    of a subquery is then typed as its rewritten expression is (an exact decimal(p, s))."""
    _literal_functions(tree)
    try:
        scopes = [scope.expression for scope in traverse_scope(tree)]
    except Exception as exc:  # the whole query as one scope: its subqueries typed by sqlglot
        log.debug("no scopes: %r", exc)
        scopes = [tree]
    types, deferred = _annotate(tree, schema, default_database), []
    type_checks.check_comparisons(tree, types)  # what Trino refuses to plan (type_checks.py)
    for query in scopes:
        if types is None:
            types = _annotate(tree, schema, default_database)
        rewriter = _Rewriter(types)
        rewriter.run(query, nested=len(scopes) > 1)
        deferred += rewriter.deferred
        if rewriter.changed:
            types = None
    if deferred:
        raise not_supported(f"type {deferred[0].sql('athena')!r}: decimal arithmetic with an operand "
                            "whose type or precision it does not know (cast it to a decimal(p, s))")


def _literal_functions(tree: exp.Expression) -> None:
    """Functions DuckDB lacks that have a plain equivalent, whatever their arguments' types."""
    for node in list(tree.find_all(exp.Anonymous)):
        name, args = node.name.lower(), node.expressions
        if name in ("nan", "infinity") and not args:
            node.replace(_cast(exp.Literal.string("NaN" if name == "nan" else "Infinity"), T.DOUBLE))
        elif name == "is_infinite" and len(args) == 1:
            node.replace(exp.Anonymous(this="isinf", expressions=args))
        elif name == "is_finite" and len(args) == 1:
            node.replace(exp.Anonymous(this="isfinite", expressions=args))
        elif name == "trim_array" and len(args) == 2:
            array, count = args
            length = exp.Anonymous(this="len", expressions=[array.copy()])
            node.replace(exp.Anonymous(this="list_slice", expressions=[
                array, exp.Literal.number(1), exp.Sub(this=length, expression=count)]))
        elif name == "format_datetime" and len(args) == 2:
            node.replace(exp.Anonymous(this="strftime", expressions=[args[0], _joda_format(args[1])]))


def _joda_format(pattern: exp.Expression) -> exp.Expression:
    if not isinstance(pattern, exp.Literal) or not pattern.is_string:
        raise not_supported("run format_datetime with a format that is not a literal")
    text, out, i = pattern.this, [], 0
    while i < len(text):
        char = text[i]
        if char == "'":  # quoted literal text; '' is a quote
            end = text.find("'", i + 1)
            if end == -1:
                raise not_supported(f"read the format_datetime pattern {text!r}")
            out.append("'" if end == i + 1 else text[i + 1:end].replace("%", "%%"))
            i = end + 1
        elif char.isalpha():
            run = len(text) - i - len(text[i:].lstrip(char))
            spec = _JODA.get(char * run)
            if spec is None:
                raise not_supported(f"translate the Joda-Time pattern letters {char * run!r} of "
                                    "format_datetime (https://trino.io/docs/current/functions/datetime.html)")
            out.append(spec)
            i += run
        else:
            out.append("%%" if char == "%" else char)
            i += 1
    return exp.Literal.string("".join(out))


def _annotate(tree: exp.Expression, schema: dict, default_database: str) -> dict[int, exp.DataType]:
    """sqlglot's type of each node of the tree, by the id put in its meta."""
    for number, node in enumerate(tree.walk()):
        node.meta["trino_id"] = number
    typed = tree.copy()
    mapping = MappingSchema(schema, dialect="duckdb") if schema else None
    try:
        typed = qualify(typed, schema=mapping, db=default_database, dialect="athena",
                        validate_qualify_columns=False, quote_identifiers=False, identify=False)
    except Exception as exc:  # column types unknown; literals and functions are still typed
        log.debug("qualify failed, typing without the catalog: %r", exc)
        typed = tree.copy()
    try:
        typed = annotate_types(typed, schema=mapping, dialect="athena")
    except Exception as exc:
        log.debug("annotate_types failed: %r", exc)
        return {}
    return {node.meta["trino_id"]: node.type for node in typed.walk()
            if "trino_id" in node.meta and node.type is not None}


class _Rewriter:
    def __init__(self, types: dict[int, exp.DataType]) -> None:
        self.types = types
        self.own: dict[int, exp.DataType] = {}  # types of the nodes the rewrites made
        self.deferred: list[exp.Expression] = []
        self.changed = False

    def run(self, query: exp.Expression, nested: bool) -> None:
        """Rewrite the query's nodes, not those of its subqueries (nested: they are scopes of
        their own, rewritten before it)."""
        def other_query(node):
            return nested and node is not query and isinstance(node, exp.Query)
        nodes = [n for n in query.walk(bfs=False, prune=other_query) if not other_query(n)]
        for node in reversed(nodes):  # children before their parents
            if node.meta.get("trino_done"):
                continue
            method = getattr(self, f"_{type(node).__name__.lower()}", None)
            if method is not None:
                method(node)

    # -- types ------------------------------------------------------------------------------

    def type_of(self, node: exp.Expression) -> exp.DataType | None:
        if id(node) in self.own:
            return self.own[id(node)]
        if isinstance(node, (exp.Paren, exp.Neg)):
            return self.type_of(node.this)
        if isinstance(node, exp.Cast):
            return node.to
        if isinstance(node, exp.Literal) and not node.is_string:
            return _number_type(node.this)
        if isinstance(node, exp.Sum):  # Trino's sum of a decimal(p, s) is a decimal(38, s)
            summed = self.type_of(node.this)
            if summed is not None and summed.this == T.DECIMAL and len(summed.expressions) == 2:
                return exp.DataType.build(f"DECIMAL(38, {summed.expressions[1].this.this})")
        found = self.types.get(node.meta.get("trino_id"))
        return None if found is None or found.is_type(T.UNKNOWN, T.NULL) else found

    def decimal_of(self, node: exp.Expression) -> tuple[int, int] | None:
        """(precision, scale) of a decimal or integer operand; None: neither; raises _Unsupported
        for a decimal whose precision sqlglot did not infer."""
        kind = self.type_of(node)
        if kind is None:
            return None
        if kind.this in _INTEGER_DECIMALS:
            return _INTEGER_DECIMALS[kind.this]
        if kind.this == T.DECIMAL:
            params = [p.this for p in kind.expressions]
            try:
                values = [int(p.this if isinstance(p, exp.Expression) else p) for p in params]
            except (TypeError, ValueError):
                values = []
            if len(values) == 2:
                return values[0], values[1]
            if len(values) == 1:
                return values[0], 0
            raise _Unsupported
        return None

    def replace(self, node: exp.Expression, make, kind: exp.DataType | None) -> exp.Expression:
        """Replace node with make(node) (which may reuse node), typed kind."""
        hole = exp.Null()
        node.replace(hole)
        new = make(node)
        hole.replace(new)
        new.meta["trino_done"] = True
        node.meta["trino_done"] = True
        if kind is not None:
            self.own[id(new)] = kind
        self.changed = True
        return new

    # -- arithmetic -------------------------------------------------------------------------

    def _div(self, node: exp.Div) -> None:
        left, right = node.this, node.expression
        kinds = [self.type_of(left), self.type_of(right)]
        if any(k is not None and k.this in _FLOATING for k in kinds):
            # Trino's double division is IEEE 754's; DuckDB fails x / 0.
            both_real = all(k is not None and k.this == T.FLOAT for k in kinds)
            kind = exp.DataType.build("FLOAT" if both_real else "DOUBLE")

            def make(n):
                call = exp.Anonymous(this="trino_double_divide", expressions=[n.this, n.expression])
                return _cast(call, kind) if both_real else call
            self.replace(node, make, kind)
            return
        if not any(k is not None and k.this == T.DECIMAL for k in kinds):
            return  # integers: integer_division (athena_queries._connect)
        x, y = self._decimal_operands(node, kinds)
        if x is None:
            return
        (xp, xs), (_, ys) = x, y
        # decimal.html gives the precision as "xp + ys-xs + max(0, ys-xs)"; Trino's own
        # signature (DecimalOperators) is a_precision + b_scale + max(b_scale - a_scale, 0),
        # the same when xs = 0 and the one Trino types results with.
        precision, scale = min(38, xp + ys + max(0, ys - xs)), max(xs, ys)
        kind = exp.DataType.build(f"DECIMAL({precision}, {scale})")
        self.replace(node, lambda n: _cast(exp.Anonymous(
            this="trino_decimal_divide",
            expressions=[n.this, n.expression, exp.Literal.number(scale)]), kind), kind)

    def _add(self, node: exp.Add | exp.Sub) -> None:
        if self._date_plus_interval(node):
            return
        self._decimal_arithmetic(node, lambda x, y: (
            min(38, 1 + max(x[1], y[1]) + max(x[0] - x[1], y[0] - y[1])), max(x[1], y[1])))

    _sub = _add  # x - y is typed as x + y (decimal.html)

    def _mul(self, node: exp.Mul) -> None:
        self._decimal_arithmetic(node, lambda x, y: (min(38, x[0] + y[0]), x[1] + y[1]))

    def _decimal_arithmetic(self, node: exp.Binary, result) -> None:
        """An integer operand of decimal arithmetic is a decimal(10, 0) (bigint: 19) in Trino;
        DuckDB widens it less (bigint: 18), typing the result with a smaller precision."""
        kinds = [self.type_of(node.this), self.type_of(node.expression)]
        if not any(k is not None and k.this == T.DECIMAL for k in kinds):
            return
        x, y = self._decimal_operands(node, kinds)
        if x is None:
            return
        for operand, (p, s), kind in ((node.this, x, kinds[0]), (node.expression, y, kinds[1])):
            if kind.this in _INTEGER_DECIMALS:
                hole = exp.Null()
                operand.replace(hole)
                hole.replace(_cast(operand, f"DECIMAL({p}, {s})"))
        precision, scale = result(x, y)
        kind = exp.DataType.build(f"DECIMAL({precision}, {scale})")
        # DuckDB's result has Trino's scale; the cast gives it Trino's precision, which the
        # query's next scopes are typed with.
        self.replace(node, lambda n: _cast(n, kind), kind)

    def _decimal_operands(self, node: exp.Binary, kinds: list) -> tuple:
        """(precision, scale) of both operands of decimal arithmetic, or (None, None): leave the
        node to DuckDB (a double operand: the result is a double in both engines) or defer it
        (NOT_SUPPORTED). An operand of unknown type or precision is deferred: DuckDB would type
        the result by its own rules (a decimal / an unknown is a double there, a decimal in
        Trino), a silently different answer."""
        if any(k is not None and k.this in _FLOATING for k in kinds):
            return None, None
        try:
            x, y = self.decimal_of(node.this), self.decimal_of(node.expression)
        except _Unsupported:
            x = y = None
        if x is None or y is None:
            self.deferred.append(node)
            return None, None
        return x, y

    def _date_plus_interval(self, node: exp.Add | exp.Sub) -> bool:
        """date ± interval is a date in Trino (datetime.html), a timestamp in DuckDB."""
        pairs = [(node.this, node.expression)]
        if isinstance(node, exp.Add):
            pairs.append((node.expression, node.this))
        for date, interval in pairs:
            kind = self.type_of(date)
            if isinstance(interval, exp.Interval) and kind is not None and kind.this == T.DATE:
                self._to_date(node, interval.text("unit"), "an interval")
                return True
        return False

    def _to_date(self, node: exp.Expression, unit: str, what: str) -> None:
        unit = unit.upper().rstrip("S")
        if unit not in _DAY_OR_LONGER:
            raise not_supported(f"apply {what} in {unit.lower() or 'an unknown unit'} to a date "
                                "(Trino fails it; local_aws would give a timestamp)")
        self.replace(node, lambda n: _cast(n, T.DATE), exp.DataType.build("DATE"))

    # -- functions --------------------------------------------------------------------------

    def _dateadd(self, node: exp.DateAdd) -> None:
        kind = self.type_of(node.this)
        if kind is not None and kind.this == T.DATE:
            self._to_date(node, node.text("unit"), "date_add")

    def _datetrunc(self, node: exp.Expression) -> None:
        kind = self.type_of(node.this)
        if kind is not None and kind.this == T.DATE:  # [same as input]
            self._to_date(node, node.text("unit"), "date_trunc")

    _timestamptrunc = _datetrunc

    def _decimal_argument(self, node: exp.Expression) -> tuple[int, int] | None:
        """(precision, scale) of a function's first argument when it is a decimal."""
        try:
            x = self.decimal_of(node.this)
        except _Unsupported:
            return None
        return x if x is not None and self.type_of(node.this).this == T.DECIMAL else None

    def _round(self, node: exp.Round) -> None:
        x = self._decimal_argument(node)
        if x is None:
            return
        p, s = x
        # Trino's round(decimal(p, s), d) is a decimal(p + 1, s): 9.99 rounds to 10.00.
        target = (min(38, p + 1), s) if node.args.get("decimals") is not None else (p - s + min(s, 1), 0)
        result = exp.DataType.build(f"DECIMAL({target[0]}, {target[1]})")
        self.replace(node, lambda n: _cast(n, result), result)

    def _trunc(self, node: exp.Trunc) -> None:
        x = self._decimal_argument(node) if node.args.get("decimals") is not None else None
        if x is None:
            return
        result = exp.DataType.build(f"DECIMAL({x[0]}, {x[1]})")  # [same as input]
        self.replace(node, lambda n: _cast(n, result), result)

    def _sign(self, node: exp.Sign) -> None:
        kind = self.type_of(node.this)
        if kind is not None and kind.this in _INTEGER_DECIMALS:  # DuckDB: tinyint
            self.replace(node, lambda n: _cast(n, kind), kind)

    def _splitpart(self, node: exp.SplitPart) -> None:
        self.replace(node, lambda n: exp.Anonymous(this="trino_split_part", expressions=[
            n.this, n.args["delimiter"], n.args["part_index"]]), exp.DataType.build("VARCHAR"))

    def _strposition(self, node: exp.StrPosition) -> None:
        occurrence = node.args.get("occurrence")
        if occurrence is None:
            return
        if node.args.get("position") is not None:
            raise not_supported("run strpos with both a start position and an instance")
        self.replace(node, lambda n: exp.Anonymous(this="trino_strpos", expressions=[
            n.this, n.args["substr"], occurrence]), exp.DataType.build("BIGINT"))

    def _regexpreplace(self, node: exp.RegexpReplace) -> None:
        replacement = node.args.get("replacement")
        if replacement is None:
            return
        if isinstance(replacement, exp.Literal) and replacement.is_string:
            replacement.replace(exp.Literal.string(_java_replacement(replacement.this)))
        else:  # $1 -> \1 at run time
            replacement.replace(exp.Anonymous(this="regexp_replace", expressions=[
                replacement.copy(), exp.Literal.string(r"\$(\d)"), exp.Literal.string(r"\\\1"),
                exp.Literal.string("g")]))
        node.meta["trino_done"] = True

    def _reduce(self, node: exp.Reduce) -> None:
        finish = node.args.get("finish")
        if finish is None:
            return
        if (isinstance(finish, exp.Lambda) and len(finish.expressions) == 1
                and isinstance(finish.this, exp.Column) and finish.this.name == finish.expressions[0].name):
            node.set("finish", None)  # s -> s
            return

        def make(n):
            n.set("finish", None)
            mapped = exp.Anonymous(this="list_transform", expressions=[exp.Array(expressions=[n]), finish])
            return exp.Anonymous(this="list_extract", expressions=[mapped, exp.Literal.number(1)])
        self.replace(node, make, None)

    def _dpipe(self, node: exp.DPipe) -> None:
        """array || element and element || array (array.html); DuckDB's || takes two lists."""
        kinds = [self.type_of(node.this), self.type_of(node.expression)]
        arrays = [k is not None and k.this == T.ARRAY for k in kinds]
        name = {(True, False): "list_append", (False, True): "list_prepend"}.get(tuple(arrays))
        if name is not None:
            self.replace(node, lambda n: exp.Anonymous(this=name, expressions=[n.this, n.expression]), None)

    def _typeof(self, node: exp.Typeof) -> None:
        arg = node.this
        if isinstance(arg, exp.Literal) and arg.is_string:
            name = f"varchar({len(arg.this)})"
        else:
            kind = self.type_of(arg)
            if kind is None:
                raise not_supported(f"know the type of {arg.sql('athena')!r} for typeof")
            if kind.this == T.DECIMAL:
                try:
                    p, s = self.decimal_of(arg)
                except _Unsupported:
                    raise not_supported(f"know the precision of {arg.sql('athena')!r} for typeof") from None
                name = f"decimal({p},{s})"
            elif kind.this in _TYPEOF:
                name = _TYPEOF[kind.this]
            else:
                raise not_supported(f"name the type {kind.sql('duckdb')} as Trino does (typeof)")
        self.replace(node, lambda n: exp.Literal.string(name), exp.DataType.build("VARCHAR"))

    def _format(self, node: exp.Format) -> None:
        """format() takes java.util.Formatter patterns (conversion.html); DuckDB's format() takes
        fmt's {}, its printf() the % ones but not %s of a number."""
        pattern, args = node.this, list(node.expressions)
        if not isinstance(pattern, exp.Literal) or not pattern.is_string:
            raise not_supported("run format() with a format that is not a literal")
        for spec in _JAVA_FORMAT.finditer(pattern.this):
            if spec["conversion"] not in "%nsdfxXeEo":
                raise not_supported(f"format {spec[0]!r} in format() (only %s, %d, %f, %x, %e and %o)")
        # arguments a %s prints: as text (Java prints a number's digits, printf refuses it)
        used = _java_format_arguments(pattern.this)
        for number, conversion in used.items():
            if conversion != "s" or number >= len(args):
                continue
            arg, kind = args[number], self.type_of(args[number])
            if kind is not None and kind.this in _FLOATING:
                raise not_supported("print a double with %s in format() as Java does")
            if kind is None or kind.this not in (T.VARCHAR, T.TEXT):
                hole = exp.Null()
                arg.replace(hole)
                hole.replace(_cast(arg, "VARCHAR"))
        self.replace(node, lambda n: exp.Anonymous(this="printf", expressions=[n.this, *n.expressions]),
                     exp.DataType.build("VARCHAR"))

    def _fromiso8601date(self, node: exp.Expression) -> None:
        self.replace(node, lambda n: exp.Anonymous(this="trino_from_iso8601_date", expressions=[n.this]),
                     exp.DataType.build("DATE"))

    def _fromiso8601timestamp(self, node: exp.Expression) -> None:
        self.replace(node, lambda n: exp.Anonymous(this="trino_from_iso8601_timestamp", expressions=[n.this]),
                     exp.DataType.build("TIMESTAMPTZ"))


_JAVA_FORMAT = re.compile(r"%(?P<index>\d+\$)?(?P<flags>[-#+ 0,(]*)(?P<width>\d+)?(?:\.\d+)?"
                          r"(?P<conversion>[tT]?.)")


def _java_format_arguments(pattern: str) -> dict[int, str]:
    """{argument number (0-based): its conversion letter} of a java.util.Formatter pattern."""
    used, following = {}, 0
    for spec in _JAVA_FORMAT.finditer(pattern):
        if spec["conversion"] in ("%", "n"):
            continue
        if spec["index"]:
            number = int(spec["index"][:-1]) - 1
        else:
            number, following = following, following + 1
        used[number] = spec["conversion"]
    return used


def _cast(node: exp.Expression, kind: exp.DataType | T | str) -> exp.Cast:
    """CAST(node AS kind), node itself (exp.cast copies it, and the tables in it must stay the
    nodes athena_sql replaces with their readers)."""
    return exp.Cast(this=node, to=exp.DataType.build(kind).copy())


def _number_type(text: str) -> exp.DataType:
    """A numeric literal's type in Trino (types.html): integer if it fits, else bigint; a literal
    with a point is a decimal of its digits; one with an exponent a double."""
    if re.fullmatch(r"\d+", text):
        value = int(text)
        if value < 2 ** 31:
            return exp.DataType.build("INT")
        return exp.DataType.build("BIGINT" if value < 2 ** 63 else f"DECIMAL({min(len(text), 38)}, 0)")
    number = re.fullmatch(r"(\d*)\.(\d*)", text)
    if number:
        digits = len(number[1].lstrip("0")) + len(number[2])
        return exp.DataType.build(f"DECIMAL({min(max(digits, 1), 38)}, {len(number[2])})")
    return exp.DataType.build("DOUBLE")


def _java_replacement(text: str) -> str:
    """A java.util.regex replacement ($1, \\$) as RE2's (\\1, $)."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append("\\\\" if text[i + 1] == "\\" else text[i + 1])
            i += 2
        elif char == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out.append("\\" + text[i + 1])
            i += 2
        elif char == "$" and text[i + 1:i + 2] == "{":
            raise not_supported("replace with named groups (${name}) in regexp_replace")
        else:
            out.append("\\\\" if char == "\\" else char)
            i += 1
    return "".join(out)
