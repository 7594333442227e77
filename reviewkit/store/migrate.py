"""Alembic, driven from Python so ``reviewkit db upgrade`` works from an installed wheel too."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from reviewkit.settings import get_settings


def alembic_config(url: str | None = None) -> Config:
    settings = get_settings()
    cfg = Config()
    cfg.set_main_option("script_location", str(settings.migrations_dir))
    cfg.set_main_option("sqlalchemy.url", (url or settings.resolved_database_url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def check(url: str | None = None) -> None:
    """Raise when the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(url))
