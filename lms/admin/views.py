"""Pages of the administrators' area; each parses the request, calls a service and commits once."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import access_cohort
from lms.accounts.services import assign_trainer
from lms.admin import cohorts as cohort_services
from lms.admin import imports
from lms.admin.forms import (
    CohortForm,
    ConfirmImportForm,
    ImpactFilterForm,
    ImportForm,
    TrainerForm,
)
from lms.courses.cohorts import create_cohort
from lms.errors import DomainError
from lms.extensions import db
from lms.reports.export import impact_csv
from lms.reports.impact import ImpactFilters, impact_report

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def only_administrators():
    """Visitors sign in first; trainees and trainers are refused with a 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    cohort_services.require_admin(current_user)
    return None


@bp.get("/")
def index():
    """Counts and the list of cohorts."""
    return render_template(
        "admin/index.html",
        counts=cohort_services.overview_counts(),
        rows=cohort_services.list_cohorts(),
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
def new_cohort():
    """Create a cohort following one or more workshops."""
    form = CohortForm(
        workshops=cohort_services.list_workshops(), trainers=cohort_services.list_trainers()
    )
    status = 200
    if form.validate_on_submit():
        try:
            cohort = create_cohort(
                form.code.data,
                form.name.data,
                form.courses.data,
                trainer_email=form.trainer.data or None,
                region=form.region.data,
                place=(form.place.data or "").strip() or None,
                starts_on=form.starts_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            status = error.status if error.status != 404 else 422
        else:
            db.session.commit()
            flash(_("The cohort %(code)s was created.", code=cohort.code), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    elif form.is_submitted():
        status = 422
    return render_template("admin/cohort_form.html", form=form), status


def _cohort_page(cohort, errors: list[str] = (), status: int = 200):
    roster = cohort_services.cohort_roster(cohort)
    followed = {t.id for t in roster.trainers}
    trainer_form = TrainerForm(
        formdata=None,
        trainers=[t for t in cohort_services.list_trainers() if t.id not in followed],
    )
    trainer_form.form_errors.extend(errors)
    return render_template(
        "admin/cohort.html",
        cohort=cohort,
        roster=roster,
        trainer_form=trainer_form,
    ), status


@bp.get("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    """A cohort: its workshops, trainers (to add or remove) and trainees."""
    return _cohort_page(access_cohort(current_user, cohort_id))


@bp.post("/cohorts/<int:cohort_id>/trainers")
def add_trainer(cohort_id: int):
    """Make a trainer follow the cohort."""
    cohort = access_cohort(current_user, cohort_id)
    form = TrainerForm(trainers=cohort_services.list_trainers())
    if not form.validate_on_submit():
        return _cohort_page(cohort, [e for errs in form.errors.values() for e in errs], 422)
    try:
        assign_trainer(cohort, form.trainer.data)
    except DomainError as error:
        db.session.rollback()
        return _cohort_page(cohort, [str(error.message)], 422)
    db.session.commit()
    flash(_("The trainer now follows %(code)s.", code=cohort.code), "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/trainers/<int:user_id>/remove")
def remove_trainer(cohort_id: int, user_id: int):
    """Stop a trainer from following the cohort."""
    cohort = access_cohort(current_user, cohort_id)
    trainer = cohort_services.remove_trainer(cohort, user_id)
    db.session.commit()
    flash(_("%(name)s no longer follows %(code)s.", name=trainer.name, code=cohort.code), "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


def _import_page(cohort, form: ImportForm, refused: imports.ImportRefused | None = None):
    status = 422 if refused or form.errors else 200
    return render_template(
        "admin/import.html",
        cohort=cohort,
        form=form,
        refused=refused,
        max_rows=imports.MAX_IMPORT_ROWS,
        max_kb=imports.MAX_IMPORT_BYTES // 1024,
    ), status


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
def import_trainees(cohort_id: int):
    """Send a CSV file of trainees; a faulty file comes back with the report of each line."""
    cohort = access_cohort(current_user, cohort_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(cohort, form)
    try:
        text = imports.read_upload(form.file.data.read(imports.MAX_IMPORT_BYTES + 1))
        trainees = imports.preview_import(cohort, text)
    except imports.ImportRefused as refused:
        db.session.rollback()
        return _import_page(cohort, form, refused)
    confirm = ConfirmImportForm(formdata=None, payload=imports.encode_payload(text))
    return render_template(
        "admin/import_preview.html", cohort=cohort, trainees=trainees, confirm=confirm
    )


@bp.post("/cohorts/<int:cohort_id>/import/confirm")
def confirm_import(cohort_id: int):
    """Import the checked file: everyone, or nobody if anything changed meanwhile."""
    cohort = access_cohort(current_user, cohort_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.import_trainees", cohort_id=cohort.id))
    try:
        result = imports.import_trainees(cohort, imports.decode_payload(form.payload.data))
    except DomainError as error:
        db.session.rollback()
        refused = (
            error
            if isinstance(error, imports.ImportRefused)
            else imports.ImportRefused([], error.message)
        )
        return _import_page(cohort, ImportForm(formdata=None), refused)
    db.session.commit()
    response = make_response(
        render_template(
            "admin/import_result.html",
            cohort=cohort,
            result=result,
            credentials_uri=imports.credentials_data_uri(result) if result.created else None,
        )
    )
    # The page shows temporary passwords: keep it out of every cache and the back-button store.
    response.headers["Cache-Control"] = "no-store"
    return response


def _impact_filters() -> tuple[ImpactFilterForm, ImpactFilters]:
    form = ImpactFilterForm(request.args)
    if not form.validate():
        return form, ImpactFilters()
    return form, ImpactFilters(
        starts_from=form.starts_from.data,
        starts_until=form.starts_until.data,
        region=form.region.data or None,
    )


@bp.get("/impact")
def impact():
    """The impact dashboard for funders, with filters by period and region."""
    form, filters = _impact_filters()
    return render_template(
        "reports/impact.html",
        form=form,
        report=impact_report(filters),
        csv_args={k: v for k, v in request.args.items() if k in form._fields},
    )


@bp.get("/impact.csv")
def impact_export():
    """The dashboard's figures as CSV (UTF-8 with BOM; `?sep=semicolon` for French Excel)."""
    _form, filters = _impact_filters()
    delimiter = ";" if request.args.get("sep") == "semicolon" else ","
    body = impact_csv(impact_report(filters), delimiter)
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=atelier-impact.csv",
            "Cache-Control": "no-store",
        },
    )
