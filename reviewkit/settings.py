"""Settings from the environment (prefix ``REVIEWKIT_``), with zero-config defaults under ``./var/``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def _bundled(name: str) -> Path:
    """A top-level folder of the source tree, or its copy bundled in the wheel."""
    source = REPO_DIR / name
    if source.is_dir():
        return source
    return PACKAGE_DIR / "_bundled" / name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWKIT_", extra="ignore")

    home: Path = Field(default=Path("var"), description="工作目录：数据库、文件库、Prefect 数据的默认位置")
    database_url: str | None = Field(default=None, description="数据库地址；默认 home 下的 SQLite 文件")
    data_dir: Path | None = Field(default=None, description="文件库目录（按 SHA-256 存放各版本文稿）")
    prefect_home: Path | None = Field(default=None, description="Prefect 的 PREFECT_HOME")
    prefect_api_url: str | None = Field(default=None, description="已有 Prefect 服务器的 API 地址")
    prefect_port: int = Field(default=4200, description="reviewkit server up 使用的端口")
    prefect_database_url: str | None = Field(
        default=None, description="Prefect 服务器自己的数据库；默认 SQLite，可设 postgresql+asyncpg://…"
    )
    templates_dir: Path = Field(default_factory=lambda: _bundled("templates"))
    migrations_dir: Path = Field(default_factory=lambda: _bundled("migrations"))
    roster_file: Path | None = Field(default=None, description="人员名册（TOML）")
    intake_dir: Path | None = Field(
        default=None, description="收件目录：从 Prefect 界面登记案件时送审稿放在这里"
    )
    deployment_name: str = Field(
        default="reviewkit",
        description="review_case 部署名；共用一个 Prefect 服务器的每个 reviewkit 数据库各用一个",
    )
    worker_limit: int = Field(default=4, description="reviewkit worker 同时运行的流程进程数上限")
    runner_poll_seconds: float = Field(default=2.0, description="worker 查询待运行/待恢复流程的间隔（秒）")
    reconcile_seconds: float = Field(
        default=30.0, description="worker 与数据库对账（reviewkit sync）的间隔（秒）"
    )
    run_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="流程进程租约（秒）：进程被杀后，租约过期仍显示运行中的流程由对账重新调度",
    )
    timezone: str = Field(default="Asia/Shanghai")
    issuer_code: str = Field(default="某财规", description="统一编号的机关代字，如“某财规”")
    sqlite_busy_timeout_ms: int = 30_000
    db_pool_size: int = Field(default=5, ge=1, description="每个进程的数据库连接池常驻连接数")
    db_max_overflow: int = Field(default=10, ge=0, description="连接池在常驻连接之外可临时增开的连接数")
    db_pool_timeout: float = Field(
        default=30.0, gt=0, description="连接池已满时等待空闲连接的秒数，超时即报错"
    )
    max_upload_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_paragraphs: int = 20_000
    # Registers, overdue escalation, notifications (issue #9)
    validity_years: int = Field(default=5, description="文件未写明有效期时的默认有效期（年）")
    trial_validity_years: int = Field(default=2, description="暂行、试行文件的默认有效期（年）")
    cleanup_notice_months: int = Field(default=6, description="有效期届满前几个月提醒清理评估")
    warn_within_working_days: int = Field(default=3, description="期限前几个工作日提示“即将到期”")
    escalate_after_working_days: int = Field(default=3, description="超期几个工作日后向领导升级")
    filing_warn_days: int = Field(default=7, description="备案期限（公布后30日）届满前几日预警")
    notify_channels: str = Field(
        default="", description="通知渠道，逗号分隔：email、webhook；空则只记录不发送"
    )
    notify_throttle_hours: float = Field(default=24.0, description="同一事项对同一人的通知间隔（小时）")
    smtp_host: str = Field(default="127.0.0.1")
    smtp_port: int = Field(default=25)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = Field(default="reviewkit@localhost", description="发件人地址")
    notify_email_domain: str | None = Field(default=None, description="无通讯录地址时使用 用户名@域名")
    notify_contacts_file: Path | None = Field(default=None, description="通讯录（TOML：用户名 = 邮箱）")
    webhook_url: str | None = Field(default=None, description="通用 webhook 地址（POST JSON）")
    webhook_token: str | None = Field(default=None, description="webhook 的 Bearer 令牌（可选）")
    # The browser workbench (issue #18, ``reviewkit web``)
    web_host: str = Field(default="127.0.0.1", description="reviewkit web 监听地址（默认仅本机）")
    web_port: int = Field(default=8300, description="reviewkit web 端口")
    web_public_url: str | None = Field(
        default=None,
        description="工作台对外地址（如 https://review.example.gov.cn），通知与 Prefect 页面据此链接到案件页",
    )
    web_cookie_secure: str = Field(
        default="auto", description="会话 Cookie 的 Secure：auto（HTTPS 或非本机地址时加）、true、false"
    )
    web_session_idle_minutes: int = Field(default=30, gt=0, description="工作台会话闲置多久失效（分钟）")
    web_session_hours: float = Field(
        default=10.0, gt=0, description="工作台会话最长有效期（小时），到期须重新登录"
    )
    case_link_template: str = Field(
        default="{ui}/v2/runs/flow-run/{flow_run_id}",  # the V2 run page (Resume in its ⋮ menu)
        description="通知中案件链接；可用 {number} {id} {flow_run_id} {ui}；无 flow run 时给出查看命令",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'reviewkit.db').resolve()}"

    @property
    def resolved_data_dir(self) -> Path:
        return (self.data_dir or self.home / "data").resolve()

    @property
    def resolved_prefect_home(self) -> Path:
        return (self.prefect_home or self.home / "prefect").resolve()

    @property
    def resolved_intake_dir(self) -> Path:
        return (self.intake_dir or self.home / "intake").resolve()

    @property
    def resolved_roster_file(self) -> Path:
        return (self.roster_file or self.home / "roster.toml").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()
