"""One small exception hierarchy. Every message is Chinese and one line: the CLI prints it as is."""

from __future__ import annotations


class ReviewkitError(Exception):
    """Base of every error a user may see. ``str(err)`` is a single Chinese line."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ConfigError(ReviewkitError):
    """Settings, roster or template files are unusable."""


class InvalidInput(ReviewkitError):
    """A file, date or value given by the user cannot be used."""


class DocumentError(InvalidInput):
    """A document cannot be read (wrong type, empty, corrupt, hostile)."""


class NotFound(ReviewkitError):
    """A case, user, task or version does not exist."""


class PermissionDenied(ReviewkitError):
    """The actor may not do this (role, separation of duties, identity proof)."""


class TransitionNotAllowed(ReviewkitError):
    """The process definition forbids this move (stage, decision, precondition)."""


class StoreError(ReviewkitError):
    """The database is unreachable, locked or not migrated."""


class OrchestrationError(ReviewkitError):
    """The Prefect server or worker cannot be reached or refused a call."""


class ReviewkitWarning(UserWarning):
    """Something the user should know that does not stop the command (the CLI prints it as one
    Chinese line, ``提示：…``, once)."""
