"""Long ``IN`` lists: cut into chunks every backend takes, or sent as one parameter."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeVar

import orjson
from sqlalchemy import BindParameter, Boolean, Dialect, String, TypeDecorator, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

# Values per IN list: below SQLite's default limit of bound parameters with room to
# spare, and small enough that PostgreSQL plans each statement quickly.
ID_CHUNK: Final = 500

T = TypeVar("T")


def chunked(values: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` values."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Strings(TypeDecorator[Sequence[str]]):
    """A list of strings as one parameter, in JSON (one C call: psycopg turns a list into
    an array parameter element by element, which cost more than the query)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> Any:
        return orjson.dumps(list(value or ())).decode()


class _OneOf(ColumnElement[bool]):
    """``column`` equals one of the strings of one bound parameter."""

    __visit_name__ = "passerelle_one_of"
    inherit_cache = True
    type = Boolean()
    # A condition in itself: no ``= 1`` where a backend has no boolean type.
    _is_implicitly_boolean = True
    # What SQLAlchemy's statement cache keys on (so the compiled form is reused).
    _traverse_internals = [  # noqa: RUF012 - the attribute SQLAlchemy defines
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: BindParameter[Any]) -> None:
        self.column = column
        self.values = values


@compiles(_OneOf, "postgresql")
def _one_of_postgresql(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    values = compiler.process(element.values, **kw)
    return f"{column} = ANY (ARRAY(SELECT jsonb_array_elements_text(CAST({values} AS jsonb))))"


@compiles(_OneOf)
def _one_of_sqlite(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


def one_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """Return ``column IN (the strings of parameter NAME)``, with the list bound as one
    parameter (any length; pass a sequence of strings at execution).

    The statement is then the same whatever the number of values, so it is compiled once
    and cached, where an expanding ``IN`` was rendered anew for each list and each value
    bound separately: on PostgreSQL ``= ANY(ARRAY(SELECT jsonb_array_elements_text(json)))``
    (an array made once per statement, then index look-ups), on SQLite ``IN (SELECT value
    FROM json_each(json))``.
    """
    return _OneOf(column, bindparam(name, type_=_Strings()))
