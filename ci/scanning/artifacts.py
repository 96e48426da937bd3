"""What `ci scan` reads before an upload: every file under the given paths, as a person
downloading the artifact would see it, copied into one staging folder for the detectors.

- symlinks are followed (into folders too, once each); one leading outside the scanned
  path is still scanned, and said;
- `.git/` folders are scanned like any other, loose objects decompressed (packs are
  named as not unpacked: the secrets gate is what reads a repository's history);
- gzip, tar (any compression) and zip files are opened and their members scanned
  (nested ones too, a few levels deep), named `archive!/member`;
- FIFOs, sockets and devices are skipped (reading them could block or never end), and said;
- a path that cannot be read (permission, dangling link, corrupt archive) fails closed.
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ci.core.errors import RefusedError
from ci.core.result import Finding
from ci.scanning import gitleaks, seeds
from ci.scanning.model import Scan

MAX_DEPTH = 3  # archives inside archives
MAX_BYTES = 512 * 1024 * 1024  # all unpacked content together: beyond it, refuse (a bomb)
SEPARATOR = "!/"


@dataclass
class Staging:
    """The staging folder being filled, and what was noticed on the way."""

    root: Path
    files: list[tuple[str, Path]] = field(default_factory=list)  # (shown name, staged copy)
    skipped: list[str] = field(default_factory=list)  # one line each: what and why
    followed: list[str] = field(default_factory=list)  # symlinks leading outside
    unpacked: int = 0

    def add(self, name: str, data: bytes) -> None:
        self.unpacked += len(data)
        if self.unpacked > MAX_BYTES:
            raise RefusedError(f"{name}: more than {MAX_BYTES >> 20} MB unpacked, not scanning it")
        # One folder per file, keeping its base name: some rules go by name (.env, .ipynb).
        folder = self.root / f"{len(self.files):06d}"
        folder.mkdir()
        base = PurePosixPath(name.replace(SEPARATOR, "/")).name
        target = folder / (base if base not in ("", ".", "..") else "content")
        target.write_bytes(data)
        self.files.append((name, target))


def scan(paths: list[Path], *, root: Path, config: Path | None, into: Path) -> tuple[Scan, Staging]:
    """gitleaks and the seed detector over everything `paths` hold, staged in `into`."""
    staging = stage(paths, into)
    if not staging.files:
        return Scan(), staging
    found = gitleaks.scan(["dir", "."], root=root, config=config, cwd=into)
    names = {target.relative_to(into).parts[0]: shown for shown, target in staging.files}
    renamed = tuple(
        Finding(f.message, names.get(Path(f.file or "").parts[0], f.file), f.line, f.rule)
        for f in found.findings
    )
    phrases = seeds.scan_files(root, staging.files)
    return Scan(renamed, found.fingerprints) + phrases, staging


def stage(paths: list[Path], into: Path) -> Staging:
    """Copy every readable file under `paths` (archives unpacked) into `into`."""
    staging = Staging(into)
    for path in paths:
        _walk(staging, path, str(path), path.resolve(), set())
    return staging


def _walk(staging: Staging, path: Path, name: str, scope: Path, seen: set[Path]) -> None:
    try:
        info = path.lstat()
    except OSError as exc:
        raise RefusedError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        _follow(staging, path, name, scope, seen)
    elif stat.S_ISDIR(info.st_mode):
        _walk_dir(staging, path, name, scope, seen)
    elif stat.S_ISREG(info.st_mode):
        _read_file(staging, path, name)
    else:
        staging.skipped.append(f"skipped {name}: {_kind(info.st_mode)}, not a file")


def _follow(staging: Staging, link: Path, name: str, scope: Path, seen: set[Path]) -> None:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RefusedError(f"cannot read {name}: a symlink leading nowhere") from exc
    if not target.is_relative_to(scope):
        staging.followed.append(f"followed {name} -> {target} (outside {scope})")
    _walk(staging, target, name, scope, seen)


def _walk_dir(staging: Staging, path: Path, name: str, scope: Path, seen: set[Path]) -> None:
    real = path.resolve()
    if real in seen:
        return  # a symlink loop, or a folder reached twice
    seen.add(real)
    try:
        entries = sorted(path.iterdir())
    except OSError as exc:
        raise RefusedError(f"cannot read {name}: {exc.strerror or exc}") from exc
    for entry in entries:
        _walk(staging, entry, f"{name.rstrip('/')}/{entry.name}", scope, seen)


def _read_file(staging: Staging, path: Path, name: str) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RefusedError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if "/.git/objects/" in f"/{name}":
        data = _git_object(staging, name, data)
    _unpack(staging, name, data, 0)


def _git_object(staging: Staging, name: str, data: bytes) -> bytes:
    """A loose object's content (zlib: `<type> <size>\0<content>`); packs are only named."""
    if name.endswith(".pack"):
        staging.skipped.append(
            f"not unpacked {name}: packed git objects (scan the repository with the secrets gate)"
        )
        return data
    try:
        return zlib.decompress(data).partition(b"\0")[2]
    except zlib.error:
        return data  # not a loose object (an index, a list of packs): scanned as it is


def _unpack(staging: Staging, name: str, data: bytes, depth: int) -> None:
    members = _members(name, data) if depth < MAX_DEPTH else None
    if members is None:
        staging.add(name, data)
        return
    for member, content in members:
        _unpack(staging, f"{name}{SEPARATOR}{member}", content, depth + 1)


def _members(name: str, data: bytes) -> list[tuple[str, bytes]] | None:
    """The members of an archive, or None when `data` is not one."""
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return [(i.filename, archive.read(i)) for i in archive.infolist() if not i.is_dir()]
        if _is_tar(data):
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                return list(_tar_members(archive))
        if data[:2] == b"\x1f\x8b":
            return [(PurePosixPath(name).stem or "content", gzip.decompress(data))]
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, RuntimeError) as exc:
        raise RefusedError(f"cannot read {name}: a corrupt or encrypted archive") from exc
    return None


def _is_tar(data: bytes) -> bool:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)):
            return True
    except (tarfile.TarError, OSError, EOFError):
        return False


def _tar_members(archive: tarfile.TarFile) -> Iterator[tuple[str, bytes]]:
    for member in archive.getmembers():
        if member.isfile():
            handle = archive.extractfile(member)
            yield member.name, handle.read() if handle else b""
        elif member.issym() or member.islnk():
            yield member.name, f"-> {member.linkname}\n".encode()  # the link itself, not followed


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
