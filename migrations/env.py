"""Alembic environment: targets SQLModel.metadata; the URL comes from reviewkit's settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import reviewkit.store.models  # noqa: F401  (registers the tables)
from reviewkit.store.db import get_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
