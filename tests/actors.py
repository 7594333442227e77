"""Proven actors for tests: a person acts only after proving who they are, here with a PIN.

``proven("counsel1")`` sets the test PIN for a roster user who has none, then authenticates through
``services.identity.authenticate_pin`` like the CLI does, so a test's decisions carry a real proof.
The actor is reused while the user's stored PIN hash is the one set here (a new database, or a test
that changes the PIN, gets a fresh one).
"""

from __future__ import annotations

from sqlmodel import select

from reviewkit.services.actors import Actor, prove
from reviewkit.services.identity import authenticate_pin, check_secret
from reviewkit.services.roster import set_pin
from reviewkit.store.db import session_scope
from reviewkit.store.models import User

TEST_PIN = "739152"
PINS: dict[str, str] = {}  # PINs a test module set itself (the CLI subprocesses use them): kept, not reset
_cache: dict[tuple[str, str, str], Actor] = {}


def _pin_hash(username: str) -> str | None:
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        return user.pin_hash if user is not None else None


def proven(username: str, channel: str = "cli") -> Actor:
    stored = _pin_hash(username)
    if stored is not None and (username, channel, stored) in _cache:
        return _cache[(username, channel, stored)]
    pin = PINS.get(username, TEST_PIN)
    if stored is None or not check_secret(pin, stored):
        pin = TEST_PIN
        set_pin(username, pin)
        stored = _pin_hash(username)
    actor = authenticate_pin(username, pin, channel=channel)
    if stored is not None:
        _cache[(username, channel, stored)] = actor
    return actor


def sealed(actor: Actor) -> Actor:
    """A test stand-in for a PIN check, for an actor the test builds itself (roles a roster user does
    not have, or a module-level constant made before any database exists). The proof is real: only
    this process can have made it."""
    return prove(actor, "pin")
