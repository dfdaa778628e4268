"""Contacts (personal data) and events: the contact finder, duplicate
persons, the privacy rules, event history and the guest-list builder.
Imports only :mod:`graph.core`, :mod:`graph.explore` and its own modules."""
