"""Forms of the administrators' area: a new cohort, a trainer to add, a file to import, filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from lms.accounts.regions import MOROCCAN_REGIONS, PARTNER_REGIONS

REQUIRED = _l("This field is required.")


def region_choices(empty_label) -> list:
    """The twelve regions of Morocco, then the partner incubators abroad."""
    return [
        ("", empty_label),
        *[(r, r) for r in MOROCCAN_REGIONS],
        *[(r, r) for r in PARTNER_REGIONS],
    ]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes, easier on a phone than a multiple select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CohortForm(FlaskForm):
    """A new cohort; the service checks the code, the workshops and the trainer."""

    code = StringField(
        _l("Code (letters, digits, hyphens; trainees type it to join)"),
        validators=[DataRequired(REQUIRED), Length(max=32)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=160)])
    region = SelectField(_l("Region"), validators=[DataRequired(REQUIRED)])
    place = StringField(_l("Place (town, centre)"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(
        _l("Start date"),
        validators=[DataRequired(_l("Please give a date."))],
    )
    # The service, not the form, says which slug is unknown: its message names it.
    courses = CheckboxesField(
        _l("Workshops"),
        validators=[DataRequired(_l("Choose at least one workshop."))],
        validate_choice=False,
    )
    trainer = SelectField(_l("Trainer (optional)"), validate_choice=False)

    def __init__(self, *args, workshops=(), trainers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = region_choices(_l("Choose a region"))
        self.courses.choices = [(c.slug, c.title) for c in workshops]
        self.trainer.choices = [("", _l("No trainer yet"))] + [
            (t.email, f"{t.name} ({t.email})") for t in trainers
        ]


class TrainerForm(FlaskForm):
    """A trainer to add to a cohort."""

    trainer = SelectField(
        _l("Trainer"), validators=[DataRequired(_l("Choose a trainer."))], validate_choice=False
    )

    def __init__(self, *args, trainers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer.choices = [("", _l("Choose a trainer"))] + [
            (t.email, f"{t.name} ({t.email})") for t in trainers
        ]


class ImportForm(FlaskForm):
    """A CSV file of trainees."""

    file = FileField(
        _l("CSV file (columns: name, email, and optionally gender, region, phone)"),
        validators=[FileRequired(_l("Choose a file."))],
    )


class ConfirmImportForm(FlaskForm):
    """The checked file, carried from the preview to the confirmation."""

    payload = HiddenField(validators=[DataRequired()])


class ImpactFilterForm(FlaskForm):
    """Which cohorts the dashboard counts: a period of start dates and a region."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    starts_from = DateField(_l("Cohorts starting from"), validators=[Optional()])
    starts_until = DateField(_l("until"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = region_choices(_l("All regions"))
