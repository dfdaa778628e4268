"""Files and folders left behind by a process that was killed.

A server writes into folders named after its process id (download spools in
the temporary folder, kept builds being written); one killed before its exit
handler ran leaves them behind. The next start removes the ones whose writer
is gone.

>>> import os
>>> writer_gone(f"spool-{os.getpid()}-x7", "spool-")
False
>>> writer_gone("spool-old-style", "spool-") is None
True
"""

from __future__ import annotations

import os
from pathlib import PurePath

__all__ = ["process_alive", "writer_gone"]


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (another user's process counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def writer_gone(path: str | os.PathLike, prefix: str) -> bool | None:
    """For a name ``<prefix><pid>-…``: whether that process is gone; None when the name carries no pid."""
    pid = PurePath(path).name[len(prefix):].split("-", 1)[0]
    return not process_alive(int(pid)) if pid.isdigit() else None
