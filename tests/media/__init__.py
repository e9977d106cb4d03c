"""Tests of the video pipeline: probing, transcoding, hostile files and the commands."""
