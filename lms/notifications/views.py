"""The notifications page, and the e-mail outbox for administrators."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms.extensions import db
from lms.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    """The user's notifications, newest first; unread ones stand out."""
    rows = services.list_notifications(current_user)
    return render_template("notifications/index.html", rows=rows, text=services.notification_text)


@bp.post("/read")
@login_required
def mark_read():
    """Mark every notification as read."""
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for(".index"))


@bp.get("/outbox")
@login_required
def outbox():
    """Every e-mail written, sent or not, with its error (administrators only)."""
    return render_template("notifications/outbox.html", emails=services.list_outbox(current_user))
