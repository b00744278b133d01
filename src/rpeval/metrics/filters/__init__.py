r"""The safe filter language of metric ``where:`` clauses.

A filter is parsed by our own tokenizer and recursive-descent parser into a small typed
tree (:class:`FilterExpr`), checked statically, and compiled into a narwhals expression
that runs unchanged on pandas, polars, DuckDB and the other narwhals backends. The text
is never evaluated as Python or SQL, and everything outside the grammar below is
rejected: attribute access, subscripts, calls other than ``date``/``days``/``months``,
lambdas, ``__dunder__`` names, semicolons, comments.

Grammar (EBNF; keywords are lower case and reserved in any case)::

    filter     = or_expr ;
    or_expr    = and_expr , { "or" , and_expr } ;
    and_expr   = not_expr , { "and" , not_expr } ;
    not_expr   = "not" , not_expr | predicate ;
    predicate  = sum , [ compare_op , sum
                       | [ "not" ] , "in" , "[" , literal , { "," , literal } , [ "," ] , "]"
                       | "is" , [ "not" ] , "null" ] ;
    compare_op = "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" ;
    sum        = unary , { ( "+" | "-" ) , unary } ;
    unary      = "-" , unary | primary ;
    primary    = column | number | string | "true" | "false" | call | "(" , or_expr , ")" ;
    call       = "date" , "(" , string , ")"                       (* "YYYY-MM-DD" *)
               | ( "days" | "months" ) , "(" , [ "-" ] , integer , ")" ;
    literal    = [ "-" ] , number | string | "true" | "false" | "date" , "(" , string , ")" ;
    column     = name | "`" , { character other than "`" | "``" } , "`" ;
    name       = ( ascii_letter | "_" ) , { ascii_letter | digit | "_" } ;
    number     = digits , [ "." , digits ] , [ ( "e" | "E" ) , [ "+" | "-" ] , digits ] ;
    string     = "'" , { character | escape } , "'" | '"' , { character | escape } , '"' ;
    escape     = "\" , ( "\" | "'" | '"' | "n" | "r" | "t" | "u" , 4 * hex | "U" , 8 * hex ) ;

Precedence, loosest first: ``or``, ``and``, ``not``, comparisons / ``in`` / ``is``,
``+``/``-`` (left associative), unary ``-``. Comparisons do not chain (``a < b < c`` is
an error). ``date``, ``days`` and ``months`` are functions only when followed by ``(``,
so a column may be called ``date``. A name that is a reserved word, has spaces,
non-ASCII letters or other characters needs backticks (a backtick inside is doubled).
Limits: :data:`MAX_LENGTH` characters, :data:`MAX_DEPTH` levels of nesting, 64-bit
integers, finite floats, ``|n| <=`` :data:`MAX_OFFSET` in ``days(n)``/``months(n)``.

Static checks
    A filter must be a condition on at least one column. Types of literals, dates and
    durations are checked before any data are seen: ``date("2024-01-31") = 5``,
    ``days(1.5)``, ``days(n)`` with a column ``n``, ``"a" + 1``, ``d1 - d2`` (write
    ``d1 <= d2 + days(30)``), ``x = null`` (write ``x is null``), ``null`` inside a
    list, lists mixing types and ``<`` on booleans are all errors. Column types are only
    known with the data; :meth:`FilterExpr.columns` lists them for semantic validation.

Null semantics (SQL three-valued logic)
    A comparison, ``in`` or ``not in`` involving a null is UNKNOWN; ``not`` UNKNOWN is
    UNKNOWN; ``and``/``or`` follow Kleene logic (``FALSE and UNKNOWN`` is FALSE, ``TRUE or
    UNKNOWN`` is TRUE). A filter keeps the rows where it is TRUE, so UNKNOWN rows are
    **excluded**: ``status != "closed"`` and ``x not in [1, 2]`` drop rows with a null
    ``status`` or ``x``. Write ``status is null or status != "closed"`` to keep them.
    A bare column (``victim_present``) means ``victim_present = true``. Pandas, polars
    and DuckDB give the same rows (tested). pandas treats a float ``NaN`` as missing;
    polars and DuckDB treat ``NaN`` as a number, so convert ``NaN`` to null first there.

Dates
    Date-typed values are compared at day resolution: a column compared with, or shifted
    by, a date-typed value is cast to a timestamp and truncated to midnight, so
    ``arrest_date <= date("2024-01-31")`` keeps an arrest at 13:00 on that day. Date and
    naive datetime columns both work; time-zone-aware columns are not supported.
    ``d + days(n)`` adds exactly ``n`` days. ``d + months(n)`` adds ``n`` calendar months
    and clamps to the end of a shorter month (2024-01-31 + 1 month = 2024-02-29; 2024-03-31
    − 1 month = 2024-02-29), as pandas' ``DateOffset``, polars' ``offset_by`` and DuckDB's
    ``INTERVAL`` do; offsets apply left to right, so ``d + months(1) + months(1)`` can
    differ from ``d + months(2)``. It compiles to narwhals' ``Expr.dt.offset_by``, which
    narwhals 2.x does not implement for month offsets on PyArrow tables (or pandas
    columns with an Arrow dtype): it raises ``NotImplementedError`` when the frame is
    filtered; convert such data to polars or DuckDB first. Literal-only date arithmetic is
    folded in Python with the same rule.

Canonical text
    ``str(expr)`` renders single spaces, ``=`` for ``==``, double-quoted strings, the
    fewest parentheses that keep the meaning, flattened ``and``/``or`` chains and ``in``
    lists sorted without duplicates, so texts differing only in layout normalise equal
    (``parse_filter(str(e)) == e``). Numbers keep their type: ``1`` and ``1.0`` differ.

Examples
--------
>>> import narwhals as nw
>>> import pandas as pd
>>> expr = parse_filter("status == 'completed' and ((age >= 18))")
>>> str(expr)
'status = "completed" and age >= 18'
>>> sorted(expr.columns())
['age', 'status']
>>> df = pd.DataFrame({"status": ["completed", "completed", None], "age": [19, None, 40]})
>>> nw.from_native(df).filter(to_narwhals(expr))["age"].to_list()
[19.0]
>>> try:
...     parse_filter("age >= 18 and date('2024-01-31') = 5")
... except FilterSyntaxError as error:
...     print(error)
invalid filter: cannot compare a date with a number (column 15)
    age >= 18 and date('2024-01-31') = 5
                  ^^^^^^^^^^^^^^^^^^^^^^
"""

from __future__ import annotations

from functools import lru_cache

import narwhals as nw

from rpeval.errors import MetricDefinitionError
from rpeval.metrics.filters._ast import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_OFFSET,
    And,
    Arithmetic,
    Boolean,
    Column,
    Comparison,
    DateLiteral,
    Duration,
    FilterExpr,
    InList,
    IsNull,
    ListValue,
    Negate,
    Not,
    Number,
    Or,
    String,
)
from rpeval.metrics.filters._compile import compile_filter
from rpeval.metrics.filters._errors import FilterSyntaxError
from rpeval.metrics.filters._parser import parse

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_OFFSET",
    "And",
    "Arithmetic",
    "Boolean",
    "Column",
    "Comparison",
    "DateLiteral",
    "Duration",
    "FilterExpr",
    "FilterSyntaxError",
    "InList",
    "IsNull",
    "ListValue",
    "Negate",
    "Not",
    "Number",
    "Or",
    "String",
    "parse_filter",
    "to_narwhals",
]


def parse_filter(text: str) -> FilterExpr:
    """Parse and statically check the text of a ``where:`` filter.

    Parameters
    ----------
    text
        The filter, e.g. ``'completion_date <= agreement_due_date + days(30)'``.

    Returns
    -------
    FilterExpr
        The root of the syntax tree (a condition). ``str()`` of it is the canonical text;
        ``.columns()`` the referenced column names.

    Raises
    ------
    FilterSyntaxError
        (a :class:`~rpeval.errors.MetricDefinitionError`) if `text` is not in the language
        or fails a static type check; the message shows the text with a caret under the
        problem and says what was expected there.
    MetricDefinitionError
        If `text` is not a string (e.g. YAML read ``where: true`` as a boolean).

    Examples
    --------
    >>> expr = parse_filter("arrest_date <= entry_date + months(12)")
    >>> expr
    Comparison(op='<=', left=Column(name='arrest_date'), right=Arithmetic(op='+', left=Column(name='entry_date'), right=Duration(unit='months', amount=12)))
    >>> parse_filter("a==1 and (b = 2 and c = 3)") == parse_filter("a = 1 and b = 2 and c = 3")
    True
    >>> try:
    ...     parse_filter("__import__('os').system('ls')")
    ... except FilterSyntaxError as error:
    ...     print(error.reason, error.column)
    dunder names such as '__import__' are not allowed 1
    """  # noqa: E501 - a repr line in a doctest cannot be wrapped
    if not isinstance(text, str):
        raise MetricDefinitionError(
            f"a filter must be a string, got {type(text).__name__} {text!r}",
            hint="quote the `where:` value in the YAML file",
        )
    return _parsed(text)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> FilterExpr:
    """Parse once per text (trees are immutable); errors are not cached."""
    return parse(text)


def to_narwhals(expr: FilterExpr) -> nw.Expr:
    """Compile a parsed filter into a narwhals expression for ``frame.filter(...)``.

    Parameters
    ----------
    expr
        A tree from :func:`parse_filter` (or built by hand from the node classes; it is
        checked again).

    Returns
    -------
    narwhals.Expr
        A boolean expression that is never null and is true exactly where the filter is
        TRUE under SQL three-valued logic, so rows where the filter is UNKNOWN are
        excluded on every backend.

    Raises
    ------
    FilterSyntaxError
        If a hand-built tree fails the static checks.

    Examples
    --------
    >>> import narwhals as nw
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 2, 3], "x": [1.0, None, 5.0]})
    >>> keep = to_narwhals(parse_filter("not x in [1, 2]"))
    >>> nw.from_native(df).filter(keep)["id"].to_list()
    [3]
    """
    return compile_filter(expr)
