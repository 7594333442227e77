"""``reviewkit user``: the roster, PINs, tokens, delegations, reassignment, one-time approval codes.

Changing the roster needs an admin (``--as ADMIN`` + PIN). Setup mode: while no active admin has a
PIN, roster commands run without ``--as`` — create the first admin with
``reviewkit user add admin --name 管理员 --role admin`` (it asks for the new PIN).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from reviewkit.cli.identity import AS_HELP, PIN_HELP, current_actor, new_pin, roster_actor
from reviewkit.cli.root import app
from reviewkit.cli.views import console, print_json
from reviewkit.errors import InvalidInput

user_app = typer.Typer(
    help="人员名册与身份：新增、停用、设置 PIN、导入、令牌、委托、改派、审批码。", no_args_is_help=True
)
app.add_typer(user_app, name="user")

AS = typer.Option(None, "--as", help=AS_HELP)
PIN = typer.Option(None, "--pin", help=PIN_HELP)


@user_app.command("import")
def import_(
    path: Path = typer.Argument(..., help="名册文件（TOML，[[users]] 条目；不含 PIN）"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """从 TOML 名册导入或更新人员及其角色（管理员）。"""
    from reviewkit.services.roster import import_roster

    changed = import_roster(path, by=roster_actor(user, pin), actor="（初始化）")
    console.print(f"名册已导入：{changed} 人新增或更新。")


@user_app.command("add")
def add(
    username: str = typer.Argument(..., help="用户名（字母、数字、_ - .）"),
    name: str = typer.Option(..., "--name", help="姓名"),
    role: list[str] = typer.Option(
        ...,
        "--role",
        help="角色，可重复：drafter unit_head legality_reviewer counsel disclosure_head fair_competition_reviewer leader filing_clerk admin",
    ),
    unit: str = typer.Option("", "--unit", help="单位/科室"),
    pin_new: str | None = typer.Option(
        None, "--new-pin", help="新用户的 PIN（也可用 REVIEWKIT_NEW_PIN；管理员必须设置）"
    ),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """新增人员或修改其姓名、单位、角色（管理员；名册中尚无管理员时可直接创建第一个管理员）。"""
    from reviewkit.services.roster import add_user

    by = roster_actor(user, pin)
    chosen = new_pin(pin_new, username) if "admin" in role or pin_new is not None else None
    add_user(username, name, role, unit=unit, pin=chosen, by=by)
    console.print(f"已保存人员 {name}（{username}）。" + ("已设置 PIN。" if chosen else ""))


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
    for col in ("用户名", "姓名", "单位", "角色", "状态", "PIN"):
        table.add_column(col)
    for u in users:
        table.add_row(
            str(u["username"]),
            str(u["display_name"]),
            str(u["unit"]),
            "、".join(role_name(r) for r in u["roles"]),  # type: ignore[attr-defined]
            "在用" if u["active"] else "停用",
            "已设置" if u["has_pin"] else "未设置",
        )
    console.print(table)


@user_app.command("disable")
def disable(
    username: str = typer.Argument(..., help="用户名"),
    enable: bool = typer.Option(False, "--enable", help="改为重新启用"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """停用（或用 --enable 重新启用）人员（管理员）。停用后其委托随之失效。"""
    from reviewkit.services.roster import set_active

    set_active(username, enable, by=roster_actor(user, pin))
    console.print(f"已{'启用' if enable else '停用'} {username}。")


@user_app.command("set-pin")
def set_pin_(
    username: str = typer.Argument(..., help="用户名"),
    pin_new: str | None = typer.Option(
        None, "--new-pin", help="新 PIN（也可用 REVIEWKIT_NEW_PIN；省略则提示输入两次）"
    ),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """设置 PIN：管理员可为任何人设置；本人可用 --as 本人 + 原 PIN 修改自己的。"""
    from reviewkit.services.roster import set_pin

    by = roster_actor(user, pin)
    set_pin(username, new_pin(pin_new, username), by=by)
    console.print(f"已设置 {username} 的 PIN。")


@user_app.command("token")
def token(
    username: str = typer.Argument(..., help="令牌归属的用户名"),
    label: str = typer.Option("", "--label", help="用途说明"),
    days: int = typer.Option(365, "--days", min=1, help="有效天数"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """为脚本签发令牌（管理员）；令牌只显示这一次，设为环境变量 REVIEWKIT_TOKEN 使用。"""
    from reviewkit.services.identity import issue_token

    value = issue_token(username, current_actor(user, pin), label=label, days=days)
    console.print(f"令牌（只显示一次，请妥善保存）：\n{value}", soft_wrap=True)


@user_app.command("delegate")
def delegate(
    principal: str = typer.Argument(..., help="委托人（被代理人）"),
    to: str = typer.Argument(..., help="受托人（代理人）"),
    until: str = typer.Option(..., "--until", help="截止日期（含），如 2026-12-31"),
    role: list[str] = typer.Option([], "--role", help="只委托这些角色（默认委托人的全部可委托角色）"),
    reason: str = typer.Option("", "--reason", help="事由，如 休假、出差"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """委托他人在截止日期前代行职责（本人，或管理员代为设置）。"""
    from reviewkit.services.delegation import grant

    view = grant(principal, to, _date(until), current_actor(user, pin), roles=role or None, reason=reason)
    console.print(
        f"已设置委托 #{view.id}：{view.delegate} 代 {view.principal} 行使 {'、'.join(view.roles)}，"
        f"{view.starts_on} 至 {view.ends_on}。"
    )


@user_app.command("revoke-delegation")
def revoke_delegation(
    delegation_id: int = typer.Argument(..., help="委托编号"), user: str | None = AS, pin: str | None = PIN
) -> None:
    """撤销委托（委托人本人或管理员）。"""
    from reviewkit.services.delegation import revoke

    revoke(delegation_id, current_actor(user, pin))
    console.print(f"已撤销委托 #{delegation_id}。")


@user_app.command("delegations")
def delegations(
    include_all: bool = typer.Option(False, "--all", help="含已到期、已撤销的委托"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出委托。"""
    from rich.table import Table

    from reviewkit.services.delegation import list_delegations

    rows = list_delegations(include_inactive=include_all)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"委托（{len(rows)} 项）")
    for col in ("编号", "委托人", "受托人", "角色", "起", "止", "事由", "状态"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.id), r.principal, r.delegate, "、".join(r.roles), r.starts_on, r.ends_on, r.reason, r.status
        )
    console.print(table)


@user_app.command("reassign")
def reassign(
    from_user: str | None = typer.Argument(None, help="原办理人（其全部待办）；与 --case 二选一或同用"),
    to: str = typer.Option(..., "--to", help="新办理人"),
    case: str | None = typer.Option(None, "--case", help="只改派该案件的当前待办"),
    reason: str = typer.Option("", "--reason", help="事由"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """改派待办（管理员），如办理人缺勤时。"""
    from reviewkit.services.delegation import reassign_tasks

    moved = reassign_tasks(from_user, to, current_actor(user, pin), case_ref=case, reason=reason)
    console.print(f"已改派 {len(moved)} 项待办给 {to}。")


@user_app.command("code")
def code(
    case: str | None = typer.Argument(None, help="案件 id 或编号（生成该案件当前待办的审批码）"),
    intake: bool = typer.Option(
        False, "--intake", help="改为生成送审登记码：在 Prefect 界面登记新案件时填写"
    ),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """生成一次性验证码：案件当前待办的审批码（填入 Prefect 界面的“Resume”表单，72 小时内有效），
    或 --intake 送审登记码（在 Prefect 界面登记新案件，24 小时内有效）。只能使用一次。"""
    from reviewkit.errors import InvalidInput
    from reviewkit.services.identity import issue_approval_code, issue_intake_code
    from reviewkit.services.queries import case_detail

    if intake == (case is not None):
        raise InvalidInput("请给出案件（审批码），或使用 --intake（送审登记码），二者取其一")
    actor = current_actor(user, pin)
    if case is None:
        console.print(
            f"{actor.label}的一次性送审登记码：[b]{issue_intake_code(actor)}[/b]（24 小时内有效，只能使用一次）"
        )
        return
    detail = case_detail(case)
    c = detail.case
    value = issue_approval_code(actor, c.id, c.stage, c.round)
    console.print(f"{c.number}“{c.stage_name}”（第 {c.round} 轮）的一次性审批码：[b]{value}[/b]")


@user_app.command("cert")
def cert(
    username: str = typer.Argument(..., help="执法人员用户名"),
    number: str = typer.Option(..., "--number", help="执法证号"),
    scope: list[str] = typer.Option(
        ..., "--scope", help="执法范围（执法领域或类别），可重复或用逗号分隔，如 财政监督,会计监督"
    ),
    expires: str = typer.Option(..., "--expires", help="有效期至（含），如 2027-06-30"),
    user: str | None = AS,
    pin: str | None = PIN,
) -> None:
    """登记或更新执法人员的执法证：证号、执法范围、有效期（管理员）。"""
    from reviewkit.services.enforcement import set_certificate

    set_certificate(username, number, scope, _date(expires), by=roster_actor(user, pin))
    console.print(f"已登记 {username} 的执法证 {number}，有效期至 {expires}。")


@user_app.command("certs")
def certs(
    expiring: int | None = typer.Option(
        None, "--expiring", min=0, help="只列出已过期或在此天数内到期的执法证（到期提醒）"
    ),
    on: str | None = typer.Option(None, "--on", help="按此日期计算（默认今天），如 2026-12-01"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出执法人员的执法证；--expiring N 列出已过期和 N 日内到期的，提醒及时换证。"""
    from rich.table import Table

    from reviewkit.services.enforcement import list_certificates
    from reviewkit.services.kernel import local_today

    rows = list_certificates(_date(on) if on else local_today(), expiring_within=expiring)
    if as_json:
        print_json(rows)
        return
    title = (
        f"执法证（{len(rows)} 个）"
        if expiring is None
        else f"已过期或 {expiring} 日内到期的执法证（{len(rows)} 个）"
    )
    table = Table(title=title)
    for col in ("用户名", "姓名", "执法证号", "执法范围", "有效期至", "剩余天数", "状态"):
        table.add_column(col)
    for r in rows:
        style = "red" if r.status == "已过期" else ("yellow" if r.status == "即将到期" else "")
        table.add_row(
            r.username,
            r.name,
            r.number,
            "、".join(r.scope),
            r.expires_on,
            str(r.days_left),
            f"[{style}]{r.status}[/{style}]" if style else r.status,
        )
    console.print(table)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期“{text}”格式应为 YYYY-MM-DD") from None
