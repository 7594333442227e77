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
    timezone: str = Field(default="Asia/Shanghai")
    issuer_code: str = Field(default="某财规", description="统一编号的机关代字，如“某财规”")
    sqlite_busy_timeout_ms: int = 30_000
    max_upload_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_paragraphs: int = 20_000

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
    def resolved_roster_file(self) -> Path:
        return (self.roster_file or self.home / "roster.toml").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()
