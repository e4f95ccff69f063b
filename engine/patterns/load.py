"""Reading the analysis window from the event store into numpy columns, in chunks.

This runs in the analysis worker process, so it uses SQLAlchemy's synchronous driver for
the same database: no event loop there, and no Python object kept per event.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select

from engine.patterns.arrays import DAY_US, I32, I64, ORIGIN_CODES, EventArrays
from engine.store.database import create_sync_engine
from engine.store.events import Origin
from engine.store.schema import entity_keys, events

# Rows fetched per round trip: large enough to amortise the driver, small enough that the
# rows of one chunk (Python tuples) stay a few MB.
CHUNK_ROWS = 50_000
# The store's origin codes, translated to the detectors' codes.
_ORIGIN_TO_ARRAYS = np.zeros(max(Origin) + 1, dtype=np.int8)
for _origin in Origin:
    _ORIGIN_TO_ARRAYS[_origin] = ORIGIN_CODES[_origin.label]


def load_window(
    database_url: str, days: int, on_progress: Callable[[float], None] | None = None
) -> EventArrays:
    """Return the events of the `days` before the newest stored event, sorted by time."""
    engine = create_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            newest = connection.scalar(select(func.max(events.c.time_us)))
            if newest is None:
                return _empty()
            start = int(newest) - days * DAY_US
            total = connection.scalar(
                select(func.count()).select_from(events).where(events.c.time_us >= start)
            )
            names: dict[int, str] = {
                row.key: row.entity_id
                for row in connection.execute(select(entity_keys.c.key, entity_keys.c.entity_id))
            }
            result = connection.execution_options(yield_per=CHUNK_ROWS).execute(
                select(
                    events.c.entity_key, events.c.time_us, events.c.state, events.c.origin
                ).where(events.c.time_us >= start)
            )
            keys: list[I32] = []
            times: list[I64] = []
            states: list[I32] = []
            origins: list[npt.NDArray[np.int8]] = []
            state_codes: dict[str, int] = {}
            loaded = 0
            for rows in result.partitions():
                key_column, time_column, state_column, origin_column = zip(*rows, strict=True)
                keys.append(np.array(key_column, dtype=np.int32))
                times.append(np.array(time_column, dtype=np.int64))
                states.append(
                    np.array(
                        [state_codes.setdefault(s, len(state_codes)) for s in state_column],
                        dtype=np.int32,
                    )
                )
                origins.append(_ORIGIN_TO_ARRAYS[np.array(origin_column, dtype=np.int64)])
                loaded += len(rows)
                if on_progress is not None and total:
                    on_progress(loaded / total)
    finally:
        engine.dispose()
    if not keys:
        return _empty()
    # Store keys become dense codes 0..n-1, the index into entity_ids.
    used, entity = np.unique(np.concatenate(keys), return_inverse=True)
    return EventArrays.from_columns(
        entity.astype(np.int32),
        np.concatenate(times),
        np.concatenate(states),
        np.concatenate(origins),
        [names[int(key)] for key in used],
        list(state_codes),
    )


def _empty() -> EventArrays:
    return EventArrays.from_columns(
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int8),
        [],
        [],
    )
