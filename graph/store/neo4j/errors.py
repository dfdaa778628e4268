"""Driver errors → the Partnernetz error tree, with no secret in any message.

Every ``neo4j.exceptions`` type raised inside :func:`translated` leaves it as
:class:`~graph.core.errors.StoreUnavailable` (server down, wrong
credentials, unknown database, timeout) or
:class:`~graph.core.errors.StoreError` (anything else), naming the URI
(password removed) and the cause.

>>> redact_uri("bolt://ann:pw@db:7687")
'bolt://ann@db:7687'
"""

from __future__ import annotations

import contextlib
import re
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

from neo4j import exceptions as nx_exc

from graph.core.errors import NodeNotFound, StoreError, StoreUnavailable

__all__ = ["redact_uri", "secrets_of", "cause", "translated"]

_REASON = re.compile(r"\(reason (.+)\)\s*$")


def redact_uri(uri: str) -> str:
    """``uri`` without any password in it (``bolt://u:pw@h`` → ``bolt://u@h``).

    >>> redact_uri("neo4j+s://ann:secret@db.example.org:7687")
    'neo4j+s://ann@db.example.org:7687'
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable URI>"
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def secrets_of(uri: str | None, password: str | None = None) -> tuple[str, ...]:
    """What must never appear in a message: the password and the raw URI holding one."""
    out = [password] if password else []
    try:
        in_uri = urlsplit(uri).password if uri else None
    except ValueError:
        in_uri = None
    if in_uri:
        out += [uri, in_uri]
    return tuple(out)


def cause(exc: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """A one-line cause: the server's message, or the driver's first argument,
    with any secret replaced (raw URI first, so it becomes the redacted one)."""
    return _scrub(_raw_cause(exc), secrets)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact_uri(secret) if "://" in secret else "***")
    return text


def _raw_cause(exc: BaseException) -> str:
    if isinstance(exc, nx_exc.Neo4jError):
        text = exc.message or str(exc)
    else:
        text = str(exc.args[0]) if exc.args else str(exc)
    text = " ".join(str(text).split()) or type(exc).__name__
    if "Bolt handshake response" in text:
        deadline = re.search(r"timeout=([0-9.]+)", text)
        within = f" within {deadline.group(1)} s" if deadline else ""
        return f"no Bolt handshake answer{within}: not a Bolt port, or the server hangs"
    reason = _REASON.search(text)
    if reason:  # "Couldn't connect to … (reason [Errno 111] Connection refused)"
        text = reason.group(1)
    return text[:300]


@contextlib.contextmanager
def translated(where: str, secrets: tuple[str, ...] = ()) -> Iterator[None]:
    """Translate driver and socket errors raised inside into the Partnernetz
    error tree; ``where`` (URI and database) starts every message."""
    try:
        yield
    except (StoreError, NodeNotFound):
        raise
    except nx_exc.AuthError as exc:
        raise StoreUnavailable(f"{where}: authentication failed – check user and password ({cause(exc, secrets)})") from None
    except nx_exc.ServiceUnavailable as exc:
        raise StoreUnavailable(f"{where}: server not reachable ({cause(exc, secrets)})") from None
    except nx_exc.SessionExpired as exc:
        raise StoreUnavailable(f"{where}: connection lost ({cause(exc, secrets)})") from None
    except nx_exc.ClientError as exc:
        code = exc.code or ""
        if "TransactionTimedOut" in code:  # the client's transaction timeout (Neo4j 5: ...TimedOutClientConfiguration)
            raise StoreUnavailable(f"{where}: timed out – the query ran longer than the query timeout "
                                   f"({code})") from None
        if "DatabaseNotFound" in code:
            raise StoreUnavailable(f"{where}: database does not exist ({cause(exc, secrets)})") from None
        if "Security" in code:
            raise StoreUnavailable(f"{where}: access denied ({cause(exc, secrets)})") from None
        raise StoreError(f"{where}: query rejected: {code} {cause(exc, secrets)}".rstrip()) from None
    except nx_exc.DatabaseUnavailable as exc:
        raise StoreUnavailable(f"{where}: database unavailable ({cause(exc, secrets)})") from None
    except nx_exc.TransientError as exc:
        if "TransactionTimedOut" in (exc.code or ""):  # the server's own db.transaction.timeout
            raise StoreUnavailable(f"{where}: timed out – the query ran longer than the server's transaction "
                                   f"timeout ({exc.code})") from None
        raise StoreError(f"{where}: server error: {exc.code or ''} {cause(exc, secrets)}") from None
    except nx_exc.Neo4jError as exc:
        raise StoreError(f"{where}: server error: {exc.code or ''} {cause(exc, secrets)}") from None
    except nx_exc.ConfigurationError as exc:
        raise StoreUnavailable(f"{where}: invalid connection settings ({cause(exc, secrets)})") from None
    except nx_exc.DriverError as exc:
        raise StoreUnavailable(f"{where}: driver error ({cause(exc, secrets)})") from None
    except (TimeoutError, OSError) as exc:
        raise StoreUnavailable(f"{where}: timed out or connection failed ({cause(exc, secrets)})") from None
    except ValueError as exc:  # e.g. an unparsable URI scheme inside the driver
        raise StoreUnavailable(f"{where}: invalid connection settings ({cause(exc, secrets)})") from None
