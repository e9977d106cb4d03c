"""The WSGI entry point for gunicorn and `flask --app wsgi`."""

import gc

from lms import create_app

app = create_app()
# What the application built (modules, routes, templates, SQLAlchemy's mappings: some 190,000
# objects) lives as long as the process: frozen, it is left out of the collector's full passes,
# which otherwise walked all of it every few hundred requests (~0.1 s each on a busy page).
gc.freeze()
