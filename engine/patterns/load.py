"""Reading the analysis window from the event store into numpy columns, in chunks.

This runs in the analysis worker process, so it uses SQLAlchemy's synchronous driver for
the same database: no event loop there, and no Python object kept per event.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Connection, func, select

from engine.patterns.arrays import DAY_US, I32, I64, ORIGIN_CODES, EventArrays
from engine.store.database import create_sync_engine
from engine.store.events import READABLE_MIN_US, Origin, latest_event_us, now_us
from engine.store.schema import entity_keys, events

# Rows fetched per round trip: large enough to amortise the driver, small enough that the
# rows of one chunk (Python tuples, until they are copied into the columns) stay a few MB.
CHUNK_ROWS = 5_000
# The worker's one scan reads the window once, through the time index; as events are
# stored about in time order it meets each table page once, so a 64 MB page cache (what
# engine connections get, DESIGN.md) would only hold most of the file in the worker's
# memory. A table stored far out of order costs re-reads from the OS's file cache instead
# (a shuffled 1M-event table: 4.6 s instead of 3.0 s).
SCAN_CACHE_KIB = 2048
# The store's origin codes, translated to the detectors' codes.
_ORIGIN_TO_ARRAYS = np.zeros(max(Origin) + 1, dtype=np.int8)
for _origin in Origin:
    _ORIGIN_TO_ARRAYS[_origin] = ORIGIN_CODES[_origin.label]


class _Columns:
    """The four event columns, allocated once for the expected rows and filled in place."""

    def __init__(self, rows: int) -> None:
        self.entity_key: I32 = np.empty(rows, dtype=np.int32)
        self.time_us: I64 = np.empty(rows, dtype=np.int64)
        self.state: I32 = np.empty(rows, dtype=np.int32)
        self.origin: npt.NDArray[np.int8] = np.empty(rows, dtype=np.int8)
        self.filled = 0

    def make_room(self, rows: int) -> None:
        """Grow the columns (events written since they were counted) to hold `rows` more."""
        needed = self.filled + rows
        if needed <= len(self.time_us):
            return
        size = max(needed, len(self.time_us) * 5 // 4)
        self.entity_key = _grown(self.entity_key, size)
        self.time_us = _grown(self.time_us, size)
        self.state = _grown(self.state, size)
        self.origin = _grown(self.origin, size)


def _grown[T: np.generic](column: npt.NDArray[T], size: int) -> npt.NDArray[T]:
    bigger = np.empty(size, dtype=column.dtype)
    bigger[: len(column)] = column
    return bigger


def load_window(
    database_url: str,
    days: int,
    on_progress: Callable[[float], None] | None = None,
    *,
    excluded: Collection[str] = (),
) -> EventArrays:
    """Return the events of the `days` before the newest event not in the future, by time.

    The events of `excluded` entities are left out (the window still ends at the newest event).
    """
    engine = create_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(f"PRAGMA cache_size=-{SCAN_CACHE_KIB}")
            # The window ends at the newest event that could be real: a row dated beyond
            # now (stored by an older engine, or by hand) must not move it into the future.
            latest = latest_event_us(now_us())
            newest = connection.scalar(
                select(func.max(events.c.time_us)).where(events.c.time_us <= latest)
            )
            if newest is None:
                return _empty()
            start = max(int(newest) - days * DAY_US, READABLE_MIN_US)
            window = _window(start, latest, excluded)
            total = connection.scalar(select(func.count()).select_from(events).where(*window))
            columns = _Columns(total or 0)
            state_codes = _read_columns(connection, window, columns, total or 0, on_progress)
            # Read after the scan, so a key created meanwhile for an event it saw has a name.
            names: dict[int, str] = {
                row.key: row.entity_id
                for row in connection.execute(select(entity_keys.c.key, entity_keys.c.entity_id))
            }
    finally:
        engine.dispose()
    if columns.filled == 0:
        return _empty()
    count = columns.filled
    entity = columns.entity_key[:count]
    used = _to_dense_codes(entity, max(names) + 1)
    # The query's order is the detectors' order (by time, then as stored), so the columns
    # are used as they are rather than sorted into copies.
    return EventArrays(
        entity,
        columns.time_us[:count],
        columns.state[:count],
        columns.origin[:count],
        [names[int(key)] for key in used],
        list(state_codes),
    )


def _to_dense_codes(entity: I32, key_count: int) -> I64:
    """Rewrite store keys as dense codes 0..n-1 in key order, in place; return the keys used."""
    # Slice by slice: indexing with the whole column would make an 8-byte index copy of it,
    # the biggest allocation of the load after the columns themselves.
    present = np.zeros(key_count, dtype=bool)
    for at in range(0, len(entity), CHUNK_ROWS):
        present[entity[at : at + CHUNK_ROWS]] = True
    dense = np.cumsum(present, dtype=np.int32) - 1
    for at in range(0, len(entity), CHUNK_ROWS):
        part = entity[at : at + CHUNK_ROWS]
        part[:] = dense[part]
    return np.flatnonzero(present)


def _window(start: int, latest: int, excluded: Collection[str]) -> list[ColumnElement[bool]]:
    """Return the conditions of the window's events: in time, and not of an excluded entity."""
    window = [events.c.time_us >= start, events.c.time_us <= latest]
    if excluded:
        window.append(
            events.c.entity_key.not_in(
                select(entity_keys.c.key).where(entity_keys.c.entity_id.in_(sorted(excluded)))
            )
        )
    return window


def _read_columns(
    connection: Connection,
    window: list[ColumnElement[bool]],
    columns: _Columns,
    total: int,
    on_progress: Callable[[float], None] | None,
) -> dict[str, int]:
    """Fill the columns with the window's events, by time; return the state codes."""
    result = connection.execution_options(yield_per=CHUNK_ROWS).execute(
        select(events.c.entity_key, events.c.time_us, events.c.state, events.c.origin)
        .where(*window)
        .order_by(events.c.time_us, events.c.id)
    )
    state_codes: dict[str, int] = {}
    for rows in result.partitions():
        key_column, time_column, state_column, origin_column = zip(*rows, strict=True)
        columns.make_room(len(rows))
        at, end = columns.filled, columns.filled + len(rows)
        columns.entity_key[at:end] = key_column
        columns.time_us[at:end] = time_column
        columns.state[at:end] = [state_codes.setdefault(s, len(state_codes)) for s in state_column]
        columns.origin[at:end] = _origins(origin_column)
        columns.filled = end
        if on_progress is not None and total:
            on_progress(min(end / total, 1.0))
    return state_codes


def _origins(stored: Sequence[int]) -> npt.NDArray[np.int8]:
    """Return the detectors' origin codes; a code no engine writes is "unknown" (never a crash)."""
    codes = np.array(stored, dtype=np.intp)
    codes[(codes < 0) | (codes >= len(_ORIGIN_TO_ARRAYS))] = Origin.UNKNOWN
    return _ORIGIN_TO_ARRAYS[codes]


def _empty() -> EventArrays:
    return EventArrays.from_columns(
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int8),
        [],
        [],
    )
