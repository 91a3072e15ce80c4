"""Long ``IN`` lists: cut into chunks every backend takes, or sent as one parameter."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeVar

import orjson
from sqlalchemy import BindParameter, Boolean, Dialect, String, TypeDecorator, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine

# Values per IN list: below SQLite's default limit of bound parameters with room to
# spare, and small enough that PostgreSQL plans each statement quickly.
ID_CHUNK: Final = 500

T = TypeVar("T")


def chunked(values: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` values."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Strings(TypeDecorator[Sequence[str]]):
    """A list of strings as one parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> Any:
        values = list(value or ())
        if dialect.name == "postgresql":
            return values
        return orjson.dumps(values).decode()


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
    return f"{column} = ANY ({compiler.process(element.values, **kw)})"


@compiles(_OneOf)
def _one_of_sqlite(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


def one_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """Return ``column IN (the strings of parameter NAME)``, with the list bound as one
    parameter (any length; pass a sequence of strings at execution).

    The statement is then the same whatever the number of values, so it is compiled once
    and cached, where an expanding ``IN`` was rendered anew for each list and each value
    bound separately: on PostgreSQL ``= ANY(array)``, on SQLite ``IN (SELECT value FROM
    json_each(text))``.
    """
    return _OneOf(column, bindparam(name, type_=_Strings()))
