"""What a trainee is told when Atelier refuses a video, one message per rejection code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.media.probe import MediaRejected

REASONS = {
    "empty": _l("This file is empty. Please choose the video again."),
    "unreadable": _l("This file is not a video Atelier can read."),
    "no_video": _l("This file has no picture: please send a video."),
    "no_duration": _l("The length of this video cannot be read. Please export it again."),
    "too_long": _l("This video is longer than %(minutes)s minutes."),
    "too_large_frame": _l(
        "This video's picture is too large (%(width)s×%(height)s). "
        "Please export it at %(max_width)s×%(max_height)s or less."
    ),
    "too_many_fps": _l("This video has too many frames per second (more than %(limit)s)."),
    "too_many_streams": _l("This file holds too many tracks (more than %(limit)s)."),
    "truncated": _l("This video is incomplete: the upload may have been cut off. Please retry."),
    "probe_timeout": _l("This video took too long to analyse. Please export it again."),
}
FALLBACK = _l("This video cannot be used. Please export it again as MP4.")


def describe_rejection(exc: MediaRejected) -> str:
    """The user-facing sentence for a rejection, in the current locale."""
    message = REASONS.get(exc.reason, FALLBACK)
    try:
        return str(message) % exc.params if exc.params else str(message)
    except (KeyError, TypeError, ValueError):
        # A message that does not use every parameter, or a code sent with too few.
        return str(message)
