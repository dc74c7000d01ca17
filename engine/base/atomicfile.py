"""Writing a file in one step: a crash or a kill leaves the old file or the new one, whole.

The text goes to a temporary file in the same folder (so the final rename never crosses a
file system), is flushed to disk, and is then moved over the target with `os.replace`,
which is atomic on POSIX and Windows. The temporary file's name starts with a dot and ends
in `.tmp`, so a leftover one is never read as a rule file.

Only a regular file is ever replaced. A symbolic link is followed: the file it names is
replaced and the link stays (a rule file linked into a draft folder is edited where it
lives). A device, a pipe, a socket or a folder at the path is refused, never turned into
a regular file (`-o /dev/null` run as root would otherwise replace the device). The old
file's permissions, and where allowed its owner, are kept.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import UsageError


def write_atomically(path: str | os.PathLike, data: bytes,
                     check: Callable[[Path], None] | None = None) -> None:
    """Replace `path` with `data` in one step, keeping the old file's permissions. `check`,
    if given, sees the temporary file once it is on disk and may raise to keep the old one."""
    shown = path
    path, old = regular_target(path)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise UsageError(f"cannot write {shown}: {err.strerror or err}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(tmp)
        _keep_owner_and_mode(tmp, old)
        regular_target(path)  # still a regular file (or none) the moment before it is replaced
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {shown}: {err.strerror or err}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"))


def regular_target(path: str | os.PathLike) -> tuple[Path, os.stat_result | None]:
    """The file a write to `path` replaces, with its status (None when there is none yet):
    a symbolic link is followed to the file it names; anything but a regular file is a
    UsageError naming the path and what is there."""
    real = Path(os.path.realpath(path))
    try:
        found = os.stat(real)
    except FileNotFoundError:
        return real, None
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None
    if not stat.S_ISREG(found.st_mode):
        kind = next((name for test, name in _KINDS if test(found.st_mode)), "something else")
        raise UsageError(f"cannot write {path}: it is {kind}, not a regular file; "
                         "nothing was written")
    return real, found


def _keep_owner_and_mode(tmp: Path, old: os.stat_result | None) -> None:
    """Give the new file the old one's permissions (and owner, where allowed); a new file
    gets the usual ones (0666 less the umask)."""
    if old is None:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(tmp, old.st_uid, old.st_gid)
        except OSError:
            pass  # only root may give a file away: it becomes the writer's
    os.chmod(tmp, stat.S_IMODE(old.st_mode))


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
