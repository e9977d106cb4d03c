"""Configuration: safe defaults, then LMS_-prefixed environment variables, then test overrides."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment asks for something the application refuses to run with."""


def default_config(instance_path: str) -> dict:
    """Settings for the embedded default: nothing to set up."""
    instance = Path(instance_path)
    return {
        "ENV": "development",
        "SECRET_KEY": None,
        "DATABASE_URL": f"sqlite:///{instance / 'atelier.sqlite3'}",
        "MEDIA_DIR": str(PROJECT_ROOT / "media"),
        "COURSES_DIR": str(PROJECT_ROOT / "courses"),
        "REDIS_URL": None,
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_URL": None,
        "MAIL_FROM": "Atelier <no-reply@atelier.local>",
        "MAX_UPLOAD_MB": 1024,
        "MAX_FILE_MB": 20,
        "MAX_VIDEO_MINUTES": 20,
        "TRAINEE_QUOTA_MB": 4096,
        "SIGNING_KEY_FILE": str(instance / "signing-key.pem"),
        "ISSUER_NAME": "Laboratoire d'innovation sociale",
        # Printed under the signature line of certificates; unset: the issuing administrator.
        "SIGNATORY_NAME": None,
        "SIGNATORY_TITLE": "Pour l’équipe pédagogique",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_WINDOW_MINUTES": 15,
        # Failed sign-ins from one address (all accounts) before it is slowed down too; 0: never.
        "LOGIN_IP_MAX_FAILURES": 1000,
        # Reverse proxies in front of the application whose X-Forwarded-* headers are believed.
        "TRUSTED_PROXIES": 0,
        # Flask and extension settings derived from the above.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        # A form's token lasts a day: a trainee may leave a form open on a phone for hours, and a
        # token copied from an old page (a shared computer, a cache) stops working by tomorrow.
        "WTF_CSRF_TIME_LIMIT": 24 * 3600,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    }


def finalize_config(config: dict, overrides: dict | None, instance_path: str) -> None:
    """Apply overrides, derive dependent settings and refuse unsafe production set-ups."""
    if overrides:
        config.update(overrides)
    production = config["ENV"] == "production"
    if not config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError("LMS_SECRET_KEY must be set when LMS_ENV=production.")
        config["SECRET_KEY"] = development_secret_key(Path(instance_path))
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    if not isinstance(config["TRUSTED_PROXIES"], int) or config["TRUSTED_PROXIES"] < 0:
        raise ConfigurationError(
            "LMS_TRUSTED_PROXIES must be a whole number of proxies (0 or more)."
        )
    config.setdefault("SQLALCHEMY_DATABASE_URI", normalize_database_url(config["DATABASE_URL"]))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config["SQLALCHEMY_DATABASE_URI"])
    # Uploads of videos go through the chunked uploader; ordinary forms stay small.
    config["MAX_CONTENT_LENGTH"] = int(config["MAX_FILE_MB"]) * 1024 * 1024 + 64 * 1024


def development_secret_key(folder: Path) -> str:
    """A random key made once and kept in the instance folder, readable by its owner only.

    Every process of an installation must sign sessions with the same key: gunicorn's workers and
    the job worker each build the application, and a key drawn per process signed a visitor out
    whenever another worker answered. Safer than a well-known fallback; production sets its own.
    """
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: of processes starting together, the first one wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict:
    """SQLite waits for locks instead of failing; PostgreSQL checks pooled connections."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def env_flag(name: str) -> bool:
    """True when an environment variable is set to a yes-like value."""
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}
