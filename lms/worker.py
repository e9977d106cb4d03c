"""The background worker: `python -m lms.worker` runs Huey's consumer inside the application."""

from __future__ import annotations

import argparse
import importlib
import logging

from lms import create_app
from lms.jobs import bind_worker_app, huey

# Modules that define Huey tasks; importing them registers the tasks with the consumer.
TASK_MODULES: tuple[str, ...] = ("lms.media.tasks", "lms.media.uploads", "lms.notifications.tasks")


def main() -> None:
    """Bind the app, register tasks, recover jobs a dead worker left, then consume."""
    parser = argparse.ArgumentParser(description="Atelier background worker")
    parser.add_argument("--workers", type=int, default=2, help="parallel tasks (threads)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("alembic", "weasyprint", "fontTools"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app = create_app()
    bind_worker_app(app)
    for name in TASK_MODULES:
        module = importlib.import_module(name)
        recover = getattr(module, "recover_interrupted_jobs", None)
        if recover is not None:
            with app.app_context():
                recover()
    consumer = huey.create_consumer(
        workers=args.workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.run()


if __name__ == "__main__":
    main()
