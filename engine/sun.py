"""Sunrise and sunset of a place, vectorised over dates (the sunrise equation)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import numpy.typing as npt

_EPOCH_DATE = date(1970, 1, 1)
_DAY_S = 86_400
FloatArray = npt.NDArray[np.float64]


def sun_times(days: list[date], latitude: float, longitude: float) -> tuple[FloatArray, FloatArray]:
    """Return sunrise and sunset of each date as UTC epoch seconds."""
    # Julian date of each date's start (UTC); n is then that date's day since J2000 noon.
    julian = np.array([(d - _EPOCH_DATE).days for d in days], dtype=np.float64) + 2440587.5
    n = np.ceil(julian - 2451545.0 + 0.0008)
    mean_solar = n - longitude / 360.0
    anomaly = np.radians((357.5291 + 0.98560028 * mean_solar) % 360.0)
    centre = 1.9148 * np.sin(anomaly) + 0.0200 * np.sin(2 * anomaly) + 0.0003 * np.sin(3 * anomaly)
    ecliptic = np.radians((np.degrees(anomaly) + centre + 180.0 + 102.9372) % 360.0)
    transit = 2451545.0 + mean_solar + 0.0053 * np.sin(anomaly) - 0.0069 * np.sin(2 * ecliptic)
    declination = np.arcsin(np.sin(ecliptic) * math.sin(math.radians(23.4397)))
    phi = math.radians(latitude)
    cos_hour = (math.sin(math.radians(-0.833)) - math.sin(phi) * np.sin(declination)) / (
        math.cos(phi) * np.cos(declination)
    )
    half_day = np.degrees(np.arccos(np.clip(cos_hour, -1.0, 1.0))) / 360.0
    rise = (transit - half_day - 2440587.5) * _DAY_S
    set_ = (transit + half_day - 2440587.5) * _DAY_S
    return rise, set_
