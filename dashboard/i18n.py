"""The UI language and its strings: one way to read the language, one lookup.

German is the default, English the switch. The language is the URL's
``lang`` parameter: Dash pages hand it to each page's ``layout(lang=...)``,
and callbacks read it with :data:`LANG_STATE` (the shell's location) and
:func:`lang_from_search`. Strings come from the one catalogue
:mod:`dashboard.messages`; domain labels (kinds, sectors, …) from
:func:`dashboard.domain_labels.domain_label`.

A key missing from the catalogue is a bug: :func:`t` raises
:class:`MissingMessage` in strict mode (the test suite turns it on with the
environment variable ``PARTNERNETZ_STRICT_MESSAGES=1``, so browser-test
servers run strict too) and otherwise logs an error and shows the key.

>>> t("network.reset", "en")
'Back to overview'
>>> t("contacts.count", "de", n=3)
'3 Treffer'
>>> lang_from_search("?focus=x&lang=en")
'en'
"""

from __future__ import annotations

import logging
import os
from urllib.parse import parse_qs, urlencode

import dash

from dashboard import ids
from dashboard.messages import MESSAGES

__all__ = ["LANGS", "DEFAULT_LANG", "LANG_STATE", "MissingMessage", "t", "normalise_lang", "lang_from_search",
           "with_lang", "missing_keys", "strict", "format_decimal"]

LANGS = ("de", "en")
DEFAULT_LANG = "de"

#: The callback argument every page reads the language from (then :func:`lang_from_search`).
LANG_STATE = dash.State(ids.URL, "search")

log = logging.getLogger("partnernetz.i18n")


class MissingMessage(KeyError):
    """A UI string key that the catalogue does not hold."""


def strict() -> bool:
    """Whether a missing key raises (``PARTNERNETZ_STRICT_MESSAGES=1``) instead of being logged."""
    return os.environ.get("PARTNERNETZ_STRICT_MESSAGES", "") not in ("", "0")


def normalise_lang(lang: object) -> str:
    """``"en"`` for English, German otherwise (also for garbage input).

    >>> normalise_lang("EN-gb"), normalise_lang(None), normalise_lang(["x"])
    ('en', 'de', 'de')
    """
    return "en" if str(lang or "").lower().startswith("en") else DEFAULT_LANG


def lang_from_search(search: str | None) -> str:
    """The language of a URL search string (its ``lang`` parameter)."""
    values = parse_qs((search or "").lstrip("?")).get("lang", [])
    return normalise_lang(values[0] if values else None)


def with_lang(search: str | None, lang: str) -> str:
    """Return ``search`` with its ``lang`` parameter set to ``lang``.

    >>> with_lang("?a=1&lang=de", "en")
    '?a=1&lang=en'
    """
    params = parse_qs((search or "").lstrip("?"))
    params["lang"] = [lang]
    return "?" + urlencode(params, doseq=True)


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The UI string ``key`` in ``lang``, formatted with ``fmt``.

    A missing key raises :class:`MissingMessage` in strict mode; otherwise it
    is logged as an error and the key itself is shown.
    """
    pair = MESSAGES.get(key)
    if pair is None:
        if strict():
            raise MissingMessage(key)
        log.error("missing UI string %r", key)
        return key
    text = pair[1] if normalise_lang(lang) == "en" else pair[0]
    return text.format(**fmt) if fmt else text


def missing_keys(keys: list[str]) -> list[str]:
    """The keys among ``keys`` that the catalogue lacks."""
    return [k for k in keys if k not in MESSAGES]


def format_decimal(value: float, lang: str) -> str:
    """A score or share with two decimals, with a decimal comma in German.

    >>> format_decimal(0.7273, "de"), format_decimal(0.7273, "en")
    ('0,73', '0.73')
    """
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "de" else text
