"""Sign-in, sign-out, joining a cohort and the account page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import joining, services, sessions
from lms.accounts.forms import CodeForm, JoinForm, LoginForm, PasswordForm
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import safe_next

bp = Blueprint("accounts", __name__)


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _sign_in(user) -> None:
    """A fresh session for the user: nothing a visitor's earlier cookie carried (a planted
    session, an old CSRF secret) survives into the signed-in one; the language is a cookie of
    its own and stays."""
    sessions.start_session(user)
    db.session.commit()
    session.clear()
    login_user(user)


# Where an account that must replace its temporary password may still go.
_OPEN_TO_TEMPORARY_PASSWORDS = frozenset(
    {
        "accounts.account",
        "accounts.change_password",
        "accounts.logout",
        "i18n.switch_language",
        "pages.healthz",
        "static",
    }
)


@bp.before_app_request
def require_own_password():
    """An account created with a temporary password chooses its own before anything else."""
    if request.endpoint in _OPEN_TO_TEMPORARY_PASSWORDS:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("accounts.account"))
    return None


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
            _sign_in(user)
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    """End the session, here and for any copy of its cookie."""
    sessions.end_session(current_user.session_id)
    db.session.commit()
    logout_user()
    session.clear()
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
            user = joining.register_trainee(
                form.code.data,
                form.email.data,
                form.name.data,
                form.password.data,
                _client_ip(),
                gender=form.gender.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            status = error.status
        else:
            _sign_in(user)
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
        cohort = joining.join_cohort_by_code(current_user, form.code.data, _client_ip())
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
    flash(_("Your password was changed."), "success")
    return redirect(url_for("accounts.account"))
