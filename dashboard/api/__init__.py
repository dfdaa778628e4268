"""The JSON API ``/api/v1/``: records of every table (list, get, create,
update, delete, history), versions, undo, search and matchmaking
(:mod:`dashboard.api.routes`); shortlists, pipeline moves, saved views and
what changed since (:mod:`dashboard.api.followup`).

Same validation, roles, audit and journal as the dashboard: writes go
through :mod:`dashboard.edit_service`. Clients authenticate with a bearer
token (:func:`dashboard.access.authenticate_bearer`); without one, the
logged-in (or local) user of the dashboard is used. Every error is JSON
naming the field and the problem; the description is at
``/api/v1/openapi.json`` (:mod:`dashboard.api.openapi`).
"""

from dashboard.api.routes import install_api
from dashboard.api import guestlists as _guestlists  # noqa: F401 - registers /guestlists on the blueprint
from dashboard.api import followup as _followup  # noqa: F401 — registers the follow-up routes on the blueprint
from dashboard.api.openapi import PREFIX, openapi_document

__all__ = ["install_api", "PREFIX", "openapi_document"]
