"""``reviewkit user``: the roster."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli import app
from reviewkit.cli.views import console, print_json

user_app = typer.Typer(help="人员名册：导入、列表。", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("import")
def import_(path: Path = typer.Argument(..., help="名册文件（TOML，[[users]] 条目）")) -> None:
    """从 TOML 名册导入或更新人员及其角色。"""
    from reviewkit.services.roster import import_roster

    changed = import_roster(path)
    console.print(f"名册已导入：{changed} 人新增或更新。")


@user_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出名册中的人员。"""
    from rich.table import Table

    from reviewkit.domain.roles import role_name
    from reviewkit.services.roster import list_users

    users = list_users()
    if as_json:
        print_json(users)
        return
    table = Table(title=f"人员名册（{len(users)} 人）")
    for col in ("用户名", "姓名", "单位", "角色", "状态"):
        table.add_column(col)
    for u in users:
        table.add_row(u["username"], u["display_name"], u["unit"], "、".join(role_name(r) for r in u["roles"]),
                      "在用" if u["active"] else "停用")
    console.print(table)
