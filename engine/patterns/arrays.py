"""Events as compact, time-sorted numpy columns (no Python object per event downstream)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from engine.home.event_input import parse_time, to_epoch_us

ORIGIN_MANUAL = 0
ORIGIN_AUTOMATION = 1
ORIGIN_SYSTEM = 2
ORIGIN_UNKNOWN = 3
ORIGIN_CODES: dict[str, int] = {
    "manual": ORIGIN_MANUAL,
    "automation": ORIGIN_AUTOMATION,
    "system": ORIGIN_SYSTEM,
    "unknown": ORIGIN_UNKNOWN,
}
MINUTE_US = 60_000_000
DAY_US = 1440 * MINUTE_US
# UTC offsets are sampled on this grid: every real time zone changes offset on a quarter hour.
_OFFSET_STEP_US = 15 * MINUTE_US

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class EventArrays:
    """State changes as parallel columns sorted by time; codes index the two string lists."""

    entity: I32
    time_us: I64
    state: I32
    origin: npt.NDArray[np.int8]
    entity_ids: list[str]
    states: list[str]

    def __len__(self) -> int:
        """Return the number of events."""
        return len(self.time_us)

    @classmethod
    def from_api_events(cls, events: Iterable[Mapping[str, Any]]) -> EventArrays:
        """Return the columns of API event dicts; events with an unparseable time are skipped."""
        entity_codes: dict[str, int] = {}
        state_codes: dict[str, int] = {}
        entity: list[int] = []
        times: list[int] = []
        state: list[int] = []
        origin: list[int] = []
        for event in events:
            moment = parse_time(event.get("time"))
            if moment is None:
                continue
            entity_id = str(event["entity_id"])
            value = str(event["state"])
            code = entity_codes.get(entity_id)
            if code is None:
                code = entity_codes[entity_id] = len(entity_codes)
            entity.append(code)
            code = state_codes.get(value)
            if code is None:
                code = state_codes[value] = len(state_codes)
            state.append(code)
            times.append(to_epoch_us(moment))
            origin.append(ORIGIN_CODES.get(str(event.get("origin", "unknown")), ORIGIN_UNKNOWN))
        return cls.from_columns(
            np.array(entity, dtype=np.int32),
            np.array(times, dtype=np.int64),
            np.array(state, dtype=np.int32),
            np.array(origin, dtype=np.int8),
            list(entity_codes),
            list(state_codes),
        )

    @classmethod
    def from_columns(  # noqa: PLR0917 - the six columns, in their order
        cls,
        entity: I32,
        time_us: I64,
        state: I32,
        origin: npt.NDArray[np.int8],
        entity_ids: list[str],
        states: list[str],
    ) -> EventArrays:
        """Return columns sorted by time (stable, so equal times keep their input order)."""
        order = np.argsort(time_us, kind="stable")
        return cls(entity[order], time_us[order], state[order], origin[order], entity_ids, states)


def local_clock(time_us: I64, time_zone: str) -> tuple[I64, F64]:
    """Return each time's local day number (days since 1970-01-01) and local minute of day."""
    if len(time_us) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    zone = ZoneInfo(time_zone)
    first = int(time_us.min()) // _OFFSET_STEP_US * _OFFSET_STEP_US
    steps = (int(time_us.max()) - first) // _OFFSET_STEP_US + 1
    epoch = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
    # The offset is looked up once per quarter hour, not once per event, which keeps DST
    # exact (offsets only change on quarter hours) at the cost of a few thousand lookups.
    offsets = np.empty(steps, dtype=np.int64)
    for i in range(steps):
        moment = (epoch + timedelta(microseconds=first + i * _OFFSET_STEP_US)).astimezone(zone)
        delta = moment.utcoffset()
        offsets[i] = 0 if delta is None else delta // timedelta(microseconds=1)
    local = time_us + offsets[(time_us - first) // _OFFSET_STEP_US]
    day = local // DAY_US
    minute = (local - day * DAY_US).astype(np.float64) / MINUTE_US
    return day, minute
