"""`flask media probe|transcode`: the upload pipeline run by hand, JSON on standard output."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.media.probe import MediaRejected, ProbeResult, probe_video
from lms.media.reasons import describe_rejection
from lms.media.transcode import TranscodeError, transcode_video

cli = AppGroup("media", help="Check and transcode videos as uploads are.")

# Exit statuses a script can tell apart: refused by Atelier, or failed while processing.
EXIT_REFUSED = 2
EXIT_FAILED = 1

_existing_file = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def _probe_or_exit(file: Path) -> ProbeResult:
    try:
        return probe_video(file)
    except MediaRejected as exc:
        click.echo(describe_rejection(exc), err=True)
        click.echo(f"({exc})", err=True)
        raise SystemExit(EXIT_REFUSED) from exc


@cli.command("probe")
@click.argument("file", type=_existing_file)
def probe_command(file: Path) -> None:
    """Describe FILE, or say why Atelier refuses it."""
    click.echo(json.dumps(_probe_or_exit(file).to_dict(), indent=2))


@cli.command("transcode")
@click.argument("file", type=_existing_file)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create (or replace) with the renditions and the poster.",
)
def transcode_command(file: Path, out_dir: Path) -> None:
    """Write the renditions and poster of FILE into a folder."""
    probe = _probe_or_exit(file)
    try:
        result = transcode_video(file, out_dir, probe)
    except TranscodeError as exc:
        kind = "temporary" if exc.transient else "permanent"
        click.echo(f"Transcoding failed ({kind}, {exc.code}): {exc.message}", err=True)
        raise SystemExit(EXIT_FAILED) from exc
    click.echo(json.dumps({"source": probe.to_dict(), **result.to_dict()}, indent=2))
