"""Content, search index and questionnaires built once per release and kept on disk.

Rendering the Markdown, stemming every word for the search index and parsing the questionnaires
take most of the app's start-up (about a second here), and give the same result every time the
same files are read by the same code. So the result is kept in a file named by a fingerprint of
everything it is made from: each content and questionnaire file (path and bytes), the source of
the core modules that read them, and the versions of Python, Markdown, the stemmer and PyYAML.
Any change to any of them names another file, which is built afresh. A file that cannot be read
(missing, cut short, from another version) is built afresh too; one that cannot be written (a
read-only disk) only costs the next start-up the time.

The file is written by this app and read only by it, from its instance folder: pickle is safe
there, as the code itself is.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

CORE = Path(__file__).resolve().parent
LIBRARIES = ("markdown", "snowballstemmer", "PyYAML")
# Files of other releases that are kept beside the current one (a rollback starts at once).
KEEP = 3


def fingerprint(*roots: Path) -> str:
    """A hash of every file below the roots and of the code and libraries that read them."""
    digest = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        digest.update(f"{name}={version(name)}".encode())
    for path in sorted(CORE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def load_or_build(folder: Path | None, key: str, build: Callable[[], Any]) -> Any:
    """What build() returns, from folder/<key>.pickle when it is there, else built and kept."""
    if folder is None:
        return build()
    path = folder / f"built-{key}.pickle"
    try:
        with path.open("rb") as stored:
            return pickle.load(stored)  # noqa: S301 (written by this app, see the docstring)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: S110 (cut short or from other code: build it again)
        pass
    built = build()
    keep(folder, path, built)
    return built


def keep(folder: Path, path: Path, built: Any) -> None:
    """Write atomically (another worker may be reading), then drop all but the newest files."""
    written = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as out:
            written = Path(out.name)
            pickle.dump(built, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(written, path)
        others = sorted(folder.glob("built-*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in others[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        # A read-only or full disk: the next start-up builds again.
        if written is not None:
            written.unlink(missing_ok=True)
