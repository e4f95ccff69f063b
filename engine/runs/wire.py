"""What every run answer (analysis, training) says of the run's course, typed once."""

from __future__ import annotations

from typing import Annotated, NotRequired, TypedDict

from engine.api.wire import DATE_TIME, SHARE


class RunCourse(TypedDict):
    """A run's progress and times, as the run machine keeps them for every kind of run."""

    progress: Annotated[float, SHARE]
    created_at: Annotated[str, DATE_TIME]
    started_at: Annotated[str | None, DATE_TIME]
    finished_at: Annotated[str | None, DATE_TIME]
    # Only when it failed.
    error: NotRequired[str]
