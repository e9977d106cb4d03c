"""Sign-in, sign-out, joining a cohort and the account page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import services
from lms.accounts.forms import CodeForm, JoinForm, LoginForm, PasswordForm
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import safe_next

bp = Blueprint("accounts", __name__)


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; wrong credentials never say which part was wrong."""
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, _client_ip())
        except DomainError as error:
            form.form_errors.append(str(error.message))
            status = error.status
            if isinstance(error, services.TooManyAttempts):
                headers["Retry-After"] = str(error.seconds)
        else:
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/join", methods=["GET", "POST"])
def join():
    """A new trainee creates an account with the code of a cohort."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = JoinForm(code=request.args.get("code", ""))
    status = 200
    if form.validate_on_submit():
        try:
            user = services.register_trainee(
                form.code.data,
                form.email.data,
                form.name.data,
                form.password.data,
                gender=form.gender.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            status = error.status
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome to Atelier, %(name)s!", name=user.name), "success")
            return redirect(url_for("courses.catalogue"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/join.html", form=form), status


@bp.get("/account")
@login_required
def account():
    """The account page: join another cohort, change the password."""
    return _account_page(CodeForm(), PasswordForm())


def _account_page(code_form: CodeForm, password_form: PasswordForm, status: int = 200):
    return render_template(
        "accounts/account.html", code_form=code_form, password_form=password_form
    ), status


@bp.post("/account/cohort")
@login_required
def join_another_cohort():
    """A signed-in trainee joins one more cohort with its code."""
    form = CodeForm()
    if not form.validate_on_submit():
        return _account_page(form, PasswordForm(formdata=None), 422)
    try:
        cohort = services.join_cohort(current_user, form.code.data)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(str(error.message))
        return _account_page(form, PasswordForm(formdata=None), error.status)
    db.session.commit()
    flash(_("You joined %(name)s.", name=cohort.name), "success")
    return redirect(url_for("courses.catalogue"))


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; other sessions of the account end."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _account_page(CodeForm(formdata=None), form, 422)
    try:
        services.change_password(current_user, form.current.data, form.new.data)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(str(error.message))
        return _account_page(CodeForm(formdata=None), form, error.status)
    db.session.commit()
    # The session version changed: renew this session only (with the user, not the proxy).
    login_user(current_user._get_current_object())
    flash(_("Your password was changed."), "success")
    return redirect(url_for("accounts.account"))
