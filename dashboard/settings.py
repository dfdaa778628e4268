"""Settings of one running dashboard (what app.py wires together)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Settings", "LOOPBACK_HOSTS"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8050
    data_paths: tuple[str, ...] = ()
    is_sample: bool = True
    no_contacts: bool = False
    default_lang: str = "de"
    debug: bool = False
    audit_log: str = "partnernetz-audit.jsonl"  # JSON lines, one record per personal-data export
    workspace: str | None = None  # the workspace file served (None: files, read-only)
    upload_limit: int = 50 * 1024 * 1024  # bytes per upload on the Daten page
    extra: dict = field(default_factory=dict)

    @property
    def data_label(self) -> str:
        if self.workspace:
            return self.workspace
        return ", ".join(self.data_paths) if self.data_paths else "data/sample"
