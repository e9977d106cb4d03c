"""Pages that belong to no domain: the home redirect and the health check."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from lms.extensions import db

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """Signed-in users land on their workshops, visitors on the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    return redirect(url_for("accounts.login"))


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
