"""``callcenter backup`` / ``restore``: one archive of what an instance cannot get back
otherwise — the database, recordings and voicemail audio, Asterisk's spools (calls taken
while the daemon was down), uploaded prompts, the flows, queues.yaml, the configuration
file and the secrets — taken while calls run, and put back into a fresh state directory.

The database is copied first (:mod:`callcenter.store.backup`), then the files; a recording
Asterisk is still writing is left out (its row in the copy says so: it is finished after
the copy was taken). Every file goes in with its size and sha256 in ``manifest.json``; a
restore checks every one before it writes anything, so a damaged archive restores
nothing. (Composition root: it knows the store and the instance's paths.)"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from callcenter.app.assembly import prompts_dir
from callcenter.app.recordings import recordings_dir
from callcenter.config import Config
from callcenter.secrets import SECRETS_FILE
from callcenter.store.backup import BackupError, dump, kind_of, load, recording_now
from callcenter.store.db import make_engine, make_sessions

FORMAT = 1
Progress = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Summary:
    path: Path
    files: int
    bytes: int
    database: str
    left_out: tuple[str, ...]  # recordings still being written


def _digest(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while block := stream.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return _digest(f)


def _sources(config: Config) -> dict[str, Path]:
    """Archive folder → the instance's directory."""
    asterisk = config.state_dir / "asterisk"
    return {
        "recordings": recordings_dir(config),
        "spool": asterisk / "spool",
        "prompts": prompts_dir(config),
        "flows": Path(config.daemon.flows_dir).resolve(),
    }


def _files(config: Config, busy: set[str]) -> Iterator[tuple[str, Path]]:
    for folder, root in _sources(config).items():
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            if folder == "recordings" and rel in busy:
                continue
            yield f"{folder}/{rel}", path
    for name, path in (
        (SECRETS_FILE, config.state_dir / SECRETS_FILE),
        ("config/queues.yaml", Path(config.dialplan.queues_file).resolve()),
        ("config/callcenter.toml", Path("callcenter.toml").resolve()),
    ):
        if path.is_file():
            yield name, path


def backup(config: Config, out: Path, progress: Progress = lambda _name: None) -> Summary:
    """Write the archive ``out`` (mode 0600: it holds the secrets)."""
    url = config.database_url
    kind = kind_of(url)
    engine = make_engine(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "database"
            dump(url, copy)  # first: what the files are checked against
            with make_sessions(engine)() as s:
                busy = recording_now(s)
            entries = [("database", copy), *_files(config, busy)]
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "database": kind,
                "files": {
                    name: {"size": p.stat().st_size, "sha256": _sha256(p)} for name, p in entries
                },
            }
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".part")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
                for name, path in entries:
                    progress(name)
                    tar.add(path, arcname=name, recursive=False)
            os.replace(partial, out)
    finally:
        engine.dispose()
    size = sum(f["size"] for f in manifest["files"].values())
    return Summary(out, len(entries), size, kind, tuple(sorted(busy)))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _checked(tar: tarfile.TarFile) -> dict[str, Any]:
    """The manifest, every member checked against it (size, sha256, a safe name)."""
    member = tar.extractfile("manifest.json")
    if member is None:
        raise BackupError("the archive has no manifest.json: not a callcenter backup")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r}; this version reads {FORMAT}")
    files: dict[str, dict[str, Any]] = manifest["files"]
    for name, expect in files.items():
        if name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"{name}: a path outside the archive's folders")
        data = tar.extractfile(name)
        if data is None:
            raise BackupError(f"{name}: listed in the manifest, missing from the archive")
        if _digest(data) != expect["sha256"]:
            raise BackupError(
                f"{name}: damaged (its sha256 is not the manifest's): nothing was restored"
            )
    return manifest


def restore(config: Config, archive: Path, progress: Progress = lambda _name: None) -> int:
    """Put ``archive`` back into ``config``'s (fresh) state directory; files restored."""
    if (config.state_dir / SECRETS_FILE).exists():
        raise BackupError(
            f"{config.state_dir} holds an instance: restore into a fresh state directory"
        )
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive}: not a callcenter backup ({exc})") from None
    with tar:
        try:
            manifest = _checked(tar)  # nothing is written before every file is known whole
        except (tarfile.TarError, KeyError, ValueError, EOFError, OSError) as exc:
            raise BackupError(f"{archive}: not a callcenter backup, or damaged ({exc})") from None
        if manifest["database"] != kind_of(config.database_url):
            raise BackupError(
                f"the backup holds a {manifest['database']} database; database.url is"
                f" {kind_of(config.database_url)}"
            )
        targets = {**_sources(config), "config": config.state_dir / "restored-config"}
        with tempfile.TemporaryDirectory() as tmp:
            tar.extract("database", tmp, filter="data")
            load(config.database_url, Path(tmp) / "database")
        for name in manifest["files"]:
            if name == "database":
                continue
            progress(name)
            folder, _, rel = name.partition("/")
            dest = (
                config.state_dir / SECRETS_FILE if name == SECRETS_FILE else targets[folder] / rel
            )
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = tar.extractfile(name)
            assert data is not None  # checked above
            dest.write_bytes(data.read())
            if name == SECRETS_FILE:
                os.chmod(dest, 0o600)
    return len(manifest["files"])
