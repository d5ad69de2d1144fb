"""Core statements compiled once and run straight on the driver: for the hottest statements.

`Connection.execute` builds an execution context for every call (parameters, events, a result
object); for a progress write on SQLite that was about four fifths of the write's time (see
docs/performance.md). A `Prepared` statement is compiled once per dialect, keeps the bind and
result processors SQLAlchemy itself would apply to it, and runs on the DBAPI connection under
the caller's SQLAlchemy `Connection`, inside that connection's transaction.

On a psycopg connection it runs on psycopg's raw cursor, compiled with PostgreSQL's own
`$1` placeholders: a regular cursor rewrites `%(name)s` placeholders on every execution, and
caches the rewrite only for statements under 4 KB (a progress write on PostgreSQL is one
statement of twice that, api/progress/one_statement.py). Its own constants are written into
its SQL, so only the values a caller gives are sent. It is prepared on the connection the
first time it runs there (`_prepare`).

Only for plain statements: named `bindparam`s and plain columns, no expanding parameters, no
ORM loading. Anything else goes through `Connection.execute`.
"""

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from sqlalchemy import BindParameter, Connection, Dialect, bindparam
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import CompoundSelect, Select

Processor = Callable[[Any], Any] | None
Statement = Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]] | UpdateBase


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    binds: tuple[Processor, ...]
    # The selected columns' types, whose result processors depend on what the driver reports.
    result_types: tuple[Any, ...]
    # Values the statement carries itself (a literal such as the 1 of `version + 1`); none on
    # PostgreSQL's native path, where they are written into `sql` (`_constants_written`).
    carried: dict[str, Any]

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        given = {**self.carried, **params} if self.carried else params
        values = [
            given[name] if process is None else process(given[name])
            for name, process in zip(self.names, self.binds, strict=True)
        ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))

    def result_processors(self, dialect: Dialect, description: Sequence[Any]) -> list[Processor]:
        return [
            kind.result_processor(dialect, column[1])
            for kind, column in zip(self.result_types, description, strict=True)
        ]


def bound(*names: str) -> dict[str, BindParameter[Any]]:
    """A parameter of the same name for each column, as in `insert(T).values(**bound("a"))`:
    a Prepared statement takes its parameters by name."""
    return {name: bindparam(name) for name in names}


def _dbapi_connection(connection: Connection) -> Any:
    # The DBAPI connection under `connection`: statements run on it run in its transaction.
    # Under an async engine's greenlet, it is SQLAlchemy's adapter of the async driver, whose
    # cursor awaits each statement.
    return connection.connection.dbapi_connection


def _prepare(connection: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> bool | None:
    """Whether psycopg is to prepare a statement on `connection` the first time it runs there.

    psycopg prepares a statement once it has run it `prepare_threshold` times (5) on a
    connection; until then PostgreSQL parses and plans it anew on every run, and it plans a
    prepared statement anew on each of its first five runs before it settles on a generic plan.
    On a new connection, the progress write (8 KB of SQL) ran at 3-6 ms instead of 1.7 ms
    through its first eleven runs, and a new worker's busy connections paid that at once.
    Prepared on its first run, it reaches the generic plan after six (docs/performance.md,
    session 8). A connection told to prepare nothing (`prepare_threshold=None`, as behind a
    pooler that cannot keep prepared statements) is left so."""
    return None if connection.prepare_threshold is None else True


def _cursor(dbapi_connection: Any, native: bool) -> Any:
    """A cursor on `dbapi_connection`: psycopg's raw cursor with `native` (it takes `$1`
    placeholders as they are)."""
    if native:
        return psycopg.RawCursor(dbapi_connection)
    return dbapi_connection.cursor()


def _processed(rows: list[Any], processors: list[Processor]) -> list[tuple[Any, ...]]:
    if not any(processors):
        return [tuple(row) for row in rows]
    return [
        tuple(
            value if process is None else process(value)
            for value, process in zip(row, processors, strict=True)
        )
        for row in rows
    ]


class Prepared:
    """A statement to run many times with different parameters."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._by_dialect: dict[tuple[str, str, bool], _Compiled] = {}
        self._results: dict[tuple[str, str], list[Processor]] = {}
        self._lock = threading.Lock()

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, processed as `Connection.execute` would, or None."""
        found = self.rows(connection, params)
        return found[0] if found else None

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, processed as `Connection.execute` would."""
        return self.rows_on(_dbapi_connection(connection), connection.dialect, params)

    def rows_on(
        self, dbapi_connection: Any, dialect: Dialect, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Every row, processed as `Connection.execute` would, on a DBAPI connection."""
        compiled, cursor = self._executed(dbapi_connection, dialect, params)
        try:
            raw = cursor.fetchall()
            processors = self._processors(dialect, compiled, lambda: cursor.description)
        finally:
            cursor.close()
        return _processed(raw, processors)

    async def rows_on_async(
        self, connection: psycopg.AsyncConnection[Any], dialect: Dialect, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`rows_on`, awaited on psycopg's AsyncConnection."""
        compiled = self._compiled(dialect, native=True)
        async with psycopg.AsyncRawCursor(connection) as cursor:
            await cursor.execute(
                compiled.sql, compiled.arguments(params), prepare=_prepare(connection)
            )
            raw = await cursor.fetchall()
            processors = self._processors(dialect, compiled, lambda: cursor.description or ())
        return _processed(raw, processors)

    async def rows_together_async(
        self,
        connection: psycopg.AsyncConnection[Any],
        dialect: Dialect,
        many: Sequence[Mapping[str, Any]],
    ) -> list[list[tuple[Any, ...]]]:
        """The rows of a run for each of `many`, in order: the runs are one transaction, each
        seeing the ones before it, sent and committed in one round trip (psycopg's pipeline).
        A run that fails rolls them all back, and its error is raised."""
        compiled = self._compiled(dialect, native=True)
        prepare = _prepare(connection)
        cursors = [psycopg.AsyncRawCursor(connection) for _ in many]
        try:
            async with connection.pipeline():
                async with connection.transaction():
                    for cursor, params in zip(cursors, many, strict=True):
                        await cursor.execute(
                            compiled.sql, compiled.arguments(params), prepare=prepare
                        )
                raws = [await cursor.fetchall() for cursor in cursors]
            processors = self._processors(dialect, compiled, lambda: cursors[0].description or ())
        finally:
            for cursor in cursors:
                await cursor.close()
        return [_processed(raw, processors) for raw in raws]

    def _processors(
        self, dialect: Dialect, compiled: _Compiled, description: Callable[[], Sequence[Any]]
    ) -> list[Processor]:
        # The cursor's description is read once: psycopg builds it anew on every read.
        key = (dialect.name, dialect.driver)
        processors = self._results.get(key)
        if processors is None:
            processors = compiled.result_processors(dialect, description())
            with self._lock:
                self._results[key] = processors
        return processors

    def run(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Run the statement; the number of rows it changed."""
        _compiled, cursor = self._executed(
            _dbapi_connection(connection), connection.dialect, params
        )
        try:
            count: int = cursor.rowcount
        finally:
            cursor.close()
        return count

    def _executed(
        self, dbapi_connection: Any, dialect: Dialect, params: Mapping[str, Any]
    ) -> tuple[_Compiled, Any]:
        """The statement run on `dbapi_connection` (psycopg's raw cursor on a psycopg one),
        and its cursor, which the caller closes. (Not a context manager: a generator's
        frames cost a hot statement more than its try/finally.)"""
        native = isinstance(dbapi_connection, psycopg.Connection)
        compiled = self._compiled(dialect, native=native)
        cursor = _cursor(dbapi_connection, native)
        # Only psycopg's cursor takes `prepare`.
        options = {"prepare": _prepare(dbapi_connection)} if native else {}
        try:
            cursor.execute(compiled.sql, compiled.arguments(params), **options)
        except BaseException:
            cursor.close()
            raise
        return compiled, cursor

    def _compiled(self, dialect: Dialect, *, native: bool = False) -> _Compiled:
        key = (dialect.name, dialect.driver, native)
        found = self._by_dialect.get(key)
        if found is None:
            found = self._compile(dialect, native=native)
            with self._lock:
                self._by_dialect[key] = found
        return found

    def _compile(self, dialect: Dialect, *, native: bool) -> _Compiled:
        # With `native`, the SQL takes PostgreSQL's placeholders (one per name, `$1` ...) and
        # the statement's own constants written into it; the values still go through this
        # dialect's processors.
        writer = cast(Any, type(dialect))(paramstyle="numeric_dollar") if native else dialect
        compiled = self.statement.compile(dialect=writer)
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        sql, names = _constants_written(compiled, names) if native else (str(compiled), names)
        binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        # What a SELECT selects, or what an INSERT/UPDATE returns (RETURNING).
        columns = (
            self.statement.selected_columns
            if isinstance(self.statement, Select | CompoundSelect)
            else self.statement.exported_columns
        )
        result_types = tuple(column.type.dialect_impl(dialect) for column in columns)
        carried = {
            name: compiled.binds[name].effective_value
            for name in names
            if not compiled.binds[name].required
        }
        return _Compiled(sql, names, compiled.positional, binds, result_types, carried)


# A placeholder, `$n`; or a quoted string or name, whose text is left as it is.
_PLACEHOLDER_OR_QUOTED = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)""")


def _constants_written(
    compiled: SQLCompiler, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """`compiled`'s SQL (with `$n` placeholders for `names`) with each constant of the
    statement's own (the 1 of `version + 1`, a JSON key, a status compared with) written
    into it as a literal, and the names of the parameters left, renumbered in order. A `$n`
    inside a quoted string or name is text, not a placeholder, and stays as it is.

    Each parameter a statement sends costs its run: the driver adapts it and PostgreSQL reads
    it. The progress write carried 46 constants among its 63 parameters (docs/performance.md,
    session 10)."""
    left = tuple(name for name in names if compiled.binds[name].required)
    numbers = {name: number for number, name in enumerate(left, start=1)}

    def written(found: re.Match[str]) -> str:
        if found.group(1) is None:
            return found.group(0)
        name = names[int(found.group(1)) - 1]
        if name in numbers:
            return f"${numbers[name]}"
        bind = compiled.binds[name]
        return compiled.render_literal_value(bind.effective_value, bind.type)

    return _PLACEHOLDER_OR_QUOTED.sub(written, str(compiled)), left
