"""Reading a CSV file of trainees: its encoding, separator, columns and each line's faults."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.accounts.regions import match_region
from lms.accounts.services import normalize_email, normalize_name
from lms.errors import DomainError

MAX_IMPORT_BYTES = 256 * 1024
MAX_IMPORT_ROWS = 300  # each new account costs a password hash (~0.1 s): keep a request short
MAX_REPORTED_ERRORS = 50

# Column names people actually write, in French, English and Arabic.
COLUMN_ALIASES = {
    "name": {"name", "nom", "fullname", "nomcomplet", "nometprenom", "prenometnom", "الاسم"},
    "email": {"email", "mail", "courriel", "adressemail", "adresseemail", "البريدالإلكتروني"},
    "gender": {"gender", "genre", "sexe", "الجنس"},
    "region": {"region", "région", "الجهة", "المنطقة"},
    "phone": {"phone", "telephone", "téléphone", "tel", "tél", "gsm", "الهاتف"},
}
GENDER_VALUES = {
    "f": "f",
    "femme": "f",
    "woman": "f",
    "female": "f",
    "féminin": "f",
    "feminin": "f",
    "أنثى": "f",
    "انثى": "f",
    "m": "m",
    "h": "m",
    "homme": "m",
    "man": "m",
    "male": "m",
    "masculin": "m",
    "ذكر": "m",
}


@dataclass
class LineError:
    """What is wrong on one line of the file (line 1 is the header)."""

    line: int
    message: str


class ImportRefused(DomainError):
    """The file was refused as a whole; nothing was created."""

    status = 422

    def __init__(self, errors: list[LineError], message=None):
        super().__init__(message or _l("The file was refused. Nothing was imported."))
        self.errors = errors[:MAX_REPORTED_ERRORS]
        self.more = max(0, len(errors) - MAX_REPORTED_ERRORS)


@dataclass
class TraineeLine:
    """One trainee read from the file, and what importing it will do."""

    line: int
    name: str
    email: str
    gender: str | None = None
    region: str | None = None
    existing: User | None = None
    already_member: bool = False


def decode_csv(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16, else Windows-1256 or Latin."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        arabic = data.decode("cp1256")
    except UnicodeDecodeError:
        arabic = None
    if arabic is not None and _reads_as_arabic(arabic):
        return arabic
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


def _reads_as_arabic(text: str) -> bool:
    # Latin-1 capitals such as É decode to Arabic letters under cp1256, glued to Latin letters
    # ("ةLISE"); real Arabic names never mix scripts inside one word.
    has_arabic = False
    for word in re.findall(r"[^\W\d_]+", text):
        arabic = any(_is_arabic(c) for c in word)
        if arabic and any(c.isascii() for c in word):
            return False
        has_arabic = has_arabic or arabic
    return has_arabic


def _delimiter(header: str) -> str:
    """Excel in French writes ';', most tools ',' and some tab: the header tells which."""
    return max((";", ",", "\t"), key=header.count)


def _column_key(title: str) -> str:
    return "".join(c for c in title.strip().casefold() if c.isalnum())


def _map_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _column_key(title)
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in columns:
                columns[column] = index
    return columns


def parse_trainees(text: str) -> list[TraineeLine]:
    """Every trainee of the file, or ImportRefused listing every faulty line."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportRefused([], _l("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[first]))
    header: list[str] | None = None
    columns: dict[str, int] = {}
    errors: list[LineError] = []
    trainees: list[TraineeLine] = []
    seen: dict[str, int] = {}
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header, columns = record, _map_columns(record)
            if "name" not in columns or "email" not in columns:
                raise ImportRefused(
                    [
                        LineError(
                            reader.line_num,
                            _l(
                                "The first line must name the columns: name, email, "
                                "and optionally gender, region, phone."
                            ),
                        )
                    ]
                )
            continue
        if len(trainees) + len(errors) >= MAX_IMPORT_ROWS:
            raise ImportRefused(
                [],
                _l(
                    "The file has more than %(n)s trainees. Split it into smaller files.",
                    n=MAX_IMPORT_ROWS,
                ),
            )
        trainee, problems = _read_line(reader.line_num, record, columns, seen)
        errors.extend(LineError(reader.line_num, p) for p in problems)
        if trainee is not None:
            seen[trainee.email] = trainee.line
            trainees.append(trainee)
    if errors:
        raise ImportRefused(errors)
    if not trainees:
        raise ImportRefused([], _l("The file names no trainee."))
    return trainees


def _cell(record: list[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    return record[index].strip() if index is not None and index < len(record) else ""


def _read_line(
    line: int, record: list[str], columns: dict[str, int], seen: dict[str, int]
) -> tuple[TraineeLine | None, list]:
    problems = []
    name = normalize_name(_cell(record, columns, "name"))
    if not name:
        problems.append(_l("the name is missing."))
    elif len(name) > 120:
        problems.append(_l("the name is longer than 120 characters."))
    raw_email = _cell(record, columns, "email")
    email = normalize_email(raw_email)
    if not raw_email:
        problems.append(_l("the email is missing."))
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(_l("“%(email)s” is not a valid email address.", email=raw_email))
        else:
            if email in seen:
                problems.append(
                    _l(
                        "the email %(email)s is already on line %(first)s.",
                        email=email,
                        first=seen[email],
                    )
                )
    raw_gender = _cell(record, columns, "gender")
    gender = GENDER_VALUES.get(raw_gender.casefold()) if raw_gender else None
    if raw_gender and gender is None:
        problems.append(_l("the gender “%(value)s” is not f, m or empty.", value=raw_gender))
    raw_region = _cell(record, columns, "region")
    region = match_region(raw_region)
    if raw_region and region is None:
        problems.append(
            _l("the region “%(value)s” is not one of the regions in the list.", value=raw_region)
        )
    if problems:
        return None, problems
    return TraineeLine(line, name, email, gender, region), []


def read_upload(data: bytes) -> str:
    """The text of an uploaded file within the size limit."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            [], _l("The file is larger than %(kb)s KB.", kb=MAX_IMPORT_BYTES // 1024)
        )
    return decode_csv(data)
