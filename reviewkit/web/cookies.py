"""Cookie flags of the workbench: ``Secure`` unless explicitly served over plain http on this machine."""

from __future__ import annotations

import ipaddress

from fastapi import Request

from reviewkit.settings import get_settings


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_secure(request: Request) -> bool:
    """``Secure`` on the cookies: always over HTTPS (also behind a TLS proxy that says so), and in
    ``auto`` mode for every host but this machine's own (plain http://127.0.0.1 still logs in)."""
    mode = get_settings().web_cookie_secure.strip().lower()
    if mode in ("true", "1", "yes"):
        return True
    if mode in ("false", "0", "no"):
        return False
    if request.url.scheme == "https":
        return True
    return not is_loopback(request.url.hostname or "")


def plain_http_remote(request: Request) -> bool:
    """Served over plain http to another machine: the browser would drop the Secure cookie."""
    return request.url.scheme != "https" and not is_loopback(request.url.hostname or "")
