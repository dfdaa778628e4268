"""Keep personal data out of load-report messages.

The load report is shown to every visitor of the Daten page, in the
workspace's upload preview and by ``check``. A finding about a contact row
(a malformed e-mail, a name too long, an unknown language …) must point to
the row without repeating the person's data: only the contact's id stays.
:func:`redact_rows` blanks the ``value`` of every finding of those rows
(except in the id column) and cuts every value of the row out of the message.

>>> from loaders.report import LoadReport
>>> r = LoadReport()
>>> r.warning("contacts.csv", 2, "email", "erika(at)example", "'erika(at)example' does not look like an e-mail address")
>>> redact_rows(r.problems, 0, "contacts.csv", {2: {"id": "c1", "email": "erika(at)example"}}, keep_column="id")
>>> r.problems[0].value, r.problems[0].message
(None, "'…' does not look like an e-mail address (value hidden: personal data)")
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

__all__ = ["redact_rows", "scrub", "HIDDEN_NOTE", "store_problem"]

#: Appended to a message whose value was hidden.
HIDDEN_NOTE = " (value hidden: personal data)"

#: Values this short are not cut out of messages (they would cut words apart); a
#: row's values that short are no personal data on their own (language codes, "ja").
_MIN_LENGTH = 3


def _texts(value: Any) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple, set)):
        return [t for v in value for t in _texts(v)]
    text = str(value).strip()
    return (text,) if text else ()


def scrub(message: str, values: Iterable[str]) -> str:
    """``message`` with every one of ``values`` (case-insensitive, longest
    first, not inside a longer word) replaced by ``…``.

    >>> scrub("unknown language 'Klingonisch' for Erika", ["Erika", "Klingonisch"])
    "unknown language '…' for …"
    """
    for value in sorted({v for v in values if len(v) >= _MIN_LENGTH}, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)" if value[0].isalnum() and value[-1].isalnum()
                             else re.escape(value), re.IGNORECASE)
        message = pattern.sub("…", message)
    return message


def redact_rows(problems: list, start: int, file: str, rows: Mapping[int, Mapping[str, Any]], *,
                keep_column: str | None) -> None:
    """In ``problems[start:]``, hide the personal data of the ``rows`` of
    ``file`` (row number -> the row's cells): the value of a finding (except
    in ``keep_column``, the id) and every cell value of the row (except the
    id) inside its message. Replaces the findings in place."""
    if not rows:
        return
    for i in range(start, len(problems)):
        p = problems[i]
        cells = rows.get(p.row) if p.file == file else None
        if cells is None:
            continue
        keep = keep_column is not None and p.column == keep_column
        values = [t for name, v in cells.items() if name != keep_column for t in _texts(v)]
        if p.value and not keep:
            values.extend(_texts(p.value))
        message = scrub(p.message, values)
        value = p.value if keep else None
        if message == p.message and value == p.value:
            continue
        if value != p.value and HIDDEN_NOTE not in message:
            message += HIDDEN_NOTE
        problems[i] = type(p)(p.level, p.file, p.row, p.column, value, message)


_STORE_PROBLEM = re.compile(r"^(node (\S+)|edge (\S+) -\S+-> (\S+)): ")


def store_problem(text: str) -> str:
    """A record a Neo4j pull skipped (``node <id>: <why>`` or ``edge <a>
    -<kind>-> <b>: <why>``), with the reason cut when a contact is involved
    (the reason may quote the contact's values).

    >>> store_problem("node contact:c1: bad email 'erika(at)x'")
    'node contact:c1: skipped (details hidden: personal data)'
    >>> store_problem("node project:P1: bad start 'x'")
    "node project:P1: bad start 'x'"
    """
    m = _STORE_PROBLEM.match(text)
    if m and any(part and part.startswith("contact:") for part in m.groups()[1:]):
        return f"{m.group(1)}: skipped (details hidden: personal data)"
    return text
