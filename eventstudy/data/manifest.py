"""The sha256 manifest of the bundled snapshot, checked whenever a bundled file is read."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from eventstudy.errors import DataSourceError, ManifestMismatchError

MANIFEST_NAME = "MANIFEST.sha256"


def data_root() -> Path:
    """Return the folder holding the bundled snapshot.

    An installed wheel carries it as ``eventstudy/_data``; a source checkout has it at
    the top level as ``data/``.
    """
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_data", package.parent / "data"):
        if (candidate / MANIFEST_NAME).is_file():
            return candidate
    raise DataSourceError(
        f"bundled data not found beside the package ({package}); reinstall eventstudy "
        "or pass a CSV folder with --prices."
    )


def sha256_file(path: Path) -> str:
    """Return the hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def read_manifest(root: Path) -> dict[str, str]:
    """Return ``{relative path: sha256}`` from the manifest in ``root``."""
    entries: dict[str, str] = {}
    path = root / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestMismatchError(f"{path}: cannot be read ({exc}); reinstall the package.") from None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64 or any(c not in "0123456789abcdef" for c in parts[0]):
            raise ManifestMismatchError(
                f"{path} line {n}: expected '<sha256>  <file>', got {line[:80]!r}; restore the manifest (git "
                "checkout data/) or reinstall the package."
            )
        entries[parts[1].strip()] = parts[0]
    return entries


def verified(path: Path) -> Path:
    """Return ``path`` after checking it against the bundled manifest.

    Raises
    ------
    ManifestMismatchError
        If the file is not listed, or its content changed since the manifest was made.
    """
    root = data_root()
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ManifestMismatchError(f"{path}: is not inside the bundled data {root}.") from None
    expected = read_manifest(root).get(rel)
    if expected is None:
        raise ManifestMismatchError(
            f"{path}: not listed in {root / MANIFEST_NAME}; bundled files must be listed "
            "there (run `make manifest` after adding data on purpose)."
        )
    if not path.is_file():
        raise ManifestMismatchError(
            f"{path}: listed in {root / MANIFEST_NAME} but missing (or not a file); restore it (git checkout data/) "
            "or reinstall the package."
        )
    actual = sha256_file(path)
    if actual != expected:
        raise ManifestMismatchError(
            f"{path}: sha256 {actual[:12]}... does not match the manifest ({expected[:12]}...); "
            "the bundled file was changed or truncated. Restore it (git checkout data/) or "
            "reinstall the package."
        )
    return path


def write_manifest(root: Path) -> str:
    """Compute the manifest text for every data file under ``root``."""
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST_NAME and not path.name.startswith("."):
            rel = path.relative_to(root).as_posix()
            if rel.startswith(("studies/", "claims/")):
                continue  # study configs and claims are edited by hand, not snapshot data
            lines.append(f"{sha256_file(path)}  {rel}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data")
    (target / MANIFEST_NAME).write_text(write_manifest(target), encoding="utf-8")
