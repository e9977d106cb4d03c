"""ffprobe's JSON values read safely: numbers it may print as N/A, rates, rotation, sizes."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any


def positive_int(value: Any) -> int | None:
    """A positive whole number, or None for what ffprobe does not know."""
    number = positive_float(value)
    return int(number) if number else None


def positive_float(value: Any) -> float | None:
    """A positive finite number, or None."""
    # ffprobe prints "N/A", "-1", "nan" or nothing for fields it does not know.
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def frame_rate(value: Any) -> float | None:
    """Frames per second from a fraction such as 30000/1001, or None."""
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if 0 < rate < 10_000 else None


def rotation(video: dict[str, Any]) -> int:
    """The clockwise quarter turn (0, 90, 180, 270) a player applies to the picture."""
    for side in video.get("side_data_list") or []:
        if isinstance(side, dict) and "rotation" in side:
            # The display matrix angle is counter-clockwise; ffmpeg turns the picture by its
            # opposite, which is also what the legacy `rotate` tag stored.
            return _quarter_turn(-_float_or_zero(side.get("rotation")))
    return _quarter_turn(_float_or_zero((video.get("tags") or {}).get("rotate")))


def _float_or_zero(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _quarter_turn(degrees: float) -> int:
    return round(degrees / 90) % 4 * 90


def display_size(width: int, height: int, sar: Any) -> tuple[int, int]:
    """The frame size as shown, its sample aspect ratio applied."""
    # Non-square pixels (DV, some MPEG-2) are shown wider or narrower than they are stored.
    try:
        ratio = Fraction(str(sar).replace(":", "/"))
    except (ValueError, ZeroDivisionError):
        return width, height
    if ratio <= 0 or ratio == 1 or not (Fraction(1, 4) < ratio < 4):
        return width, height
    return max(1, round(width * ratio)), height


_DEPTH_IN_PIX_FMT = re.compile(r"(?:p|p0|gray)(\d{1,2})(?:le|be)$")


def bit_depth(raw: Any, pix_fmt: str) -> int:
    """Bits per sample, from the stream or its pixel format (8 when neither says)."""
    depth = positive_int(raw)
    if depth and depth <= 16:
        return depth
    match = _DEPTH_IN_PIX_FMT.search(pix_fmt)
    return int(match.group(1)) if match else 8


def format_number(value: float) -> str:
    """20 rather than 20.0 in a message."""
    return f"{value:g}"
