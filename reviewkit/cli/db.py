"""``reviewkit db``: the schema."""

from __future__ import annotations

import typer

from reviewkit.cli.root import app
from reviewkit.cli.views import console

db_app = typer.Typer(help="数据库：建立和升级表结构（Alembic 迁移）。", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """把数据库升级到最新结构（SQLite 与 PostgreSQL 使用同一套迁移）。"""
    from reviewkit.store.db import current_revision
    from reviewkit.store.migrate import upgrade as run_upgrade

    before = current_revision()
    run_upgrade()
    console.print(f"数据库结构：{before or '（空）'} → {current_revision()}")


@db_app.command("current")
def current() -> None:
    """显示数据库当前的结构版本。"""
    from reviewkit.store.db import HEAD_REVISION, current_revision

    console.print(f"当前版本：{current_revision() or '（未初始化）'}；程序需要：{HEAD_REVISION}")
