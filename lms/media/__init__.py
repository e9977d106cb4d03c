"""Video probing and transcoding: the only code that runs ffmpeg."""
