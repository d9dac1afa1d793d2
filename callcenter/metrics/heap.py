"""The daemon's C heap: what the allocator holds for objects in use and what it keeps free,
and giving the kept memory back — with glibc's malloc or with jemalloc preloaded
(``daemon.allocator``, see :mod:`callcenter.allocator`).

Why: a long-running daemon whose Python objects stay level can still grow in RSS. With
glibc, every thread that allocates (the store's workers, ``asyncio.to_thread``) gets an
arena of its own and freed memory stays with the process; the readings tell a leak
(``in_use`` climbs) from retention (``free`` climbs), and the trim gives retained pages
back (glibc: ``malloc_trim``; jemalloc: purging every arena's dirty pages).

Contract: :class:`Heap` reads whichever allocator serves the process (``allocator`` names
it: "glibc", "jemalloc" or "" where neither can be read: readings hold only
``python_blocks`` and trims give back 0 bytes). :meth:`Heap.limit_arenas` (glibc) must run
before the daemon starts threads. :meth:`Heap.reading` is ``{"in_use", "free"}`` (plus
glibc's ``"mmapped"``) in bytes and ``python_blocks`` (CPython's allocated blocks).
:meth:`Heap.trim` returns the bytes of RSS it gave back (``/proc/self/statm``) and how long
it took.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import time

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's malloc.h
ALL_ARENAS = 4096  # jemalloc's MALLCTL_ARENAS_ALL


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",  # bytes from sbrk
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",  # bytes in mmapped chunks
            "usmblks",
            "fsmblks",
            "uordblks",  # bytes in use
            "fordblks",  # bytes free, kept
            "keepcost",
        )
    ]


class _Glibc:
    name = "glibc"

    def __init__(self, libc: ctypes.CDLL) -> None:
        libc.mallinfo2.restype = _MallInfo2
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        self._libc = libc

    def reading(self) -> dict[str, float]:
        info = self._libc.mallinfo2()
        return {
            "in_use": float(info.uordblks),
            "free": float(info.fordblks),
            "mmapped": float(info.hblkhd),
        }

    def trim(self) -> None:
        self._libc.malloc_trim(0)

    def limit_arenas(self, arenas: int) -> bool:
        return bool(self._libc.mallopt(M_ARENA_MAX, arenas))


class _Jemalloc:
    name = "jemalloc"

    def __init__(self, mallctl: ctypes._NamedFuncPointer) -> None:
        mallctl.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p]
        mallctl.argtypes += [ctypes.c_void_p, ctypes.c_size_t]
        self._ctl = mallctl

    def _size(self, name: bytes) -> int:
        value, length = ctypes.c_size_t(0), ctypes.c_size_t(ctypes.sizeof(ctypes.c_size_t))
        if self._ctl(name, ctypes.byref(value), ctypes.byref(length), None, 0):
            return 0
        return value.value

    def reading(self) -> dict[str, float]:
        epoch = ctypes.c_uint64(1)  # statistics are cached until the epoch moves
        self._ctl(b"epoch", None, None, ctypes.byref(epoch), ctypes.sizeof(epoch))
        allocated, resident = self._size(b"stats.allocated"), self._size(b"stats.resident")
        return {"in_use": float(allocated), "free": float(max(0, resident - allocated))}

    def trim(self) -> None:
        self._ctl(f"arena.{ALL_ARENAS}.purge".encode(), None, None, None, 0)

    def limit_arenas(self, _arenas: int) -> bool:
        return False  # jemalloc sizes its arenas itself (narenas is read at start only)


def _allocator() -> _Glibc | _Jemalloc | None:
    if not sys.platform.startswith("linux"):
        return None
    process = ctypes.CDLL(None)  # the symbols the process resolved: a preloaded jemalloc's
    if hasattr(process, "mallctl"):
        return _Jemalloc(process.mallctl)
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is None or not all(hasattr(libc, f) for f in ("mallinfo2", "malloc_trim")):
        return None  # musl, or a glibc older than 2.33
    return _Glibc(libc)


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Heap:
    def __init__(self) -> None:
        self._impl = _allocator()
        self.trimmed_bytes = 0
        self.trims = 0
        self.last_trim_seconds = 0.0

    @property
    def allocator(self) -> str:
        return self._impl.name if self._impl is not None else ""

    @property
    def available(self) -> bool:
        return self._impl is not None

    def limit_arenas(self, arenas: int) -> bool:
        """At most ``arenas`` glibc malloc arenas (0: glibc's default, 8 per core)."""
        if self._impl is None or arenas <= 0:
            return False
        return self._impl.limit_arenas(arenas)

    def reading(self) -> dict[str, float]:
        out = {"python_blocks": float(sys.getallocatedblocks())}
        if self._impl is not None:
            out |= self._impl.reading()
        return out

    def trim(self) -> tuple[int, float]:
        """Give free heap pages back to the system: (RSS bytes returned, seconds taken)."""
        if self._impl is None:
            return 0, 0.0
        before, started = rss_bytes(), time.perf_counter()
        self._impl.trim()
        took = time.perf_counter() - started
        returned = max(0, before - rss_bytes())
        self.trims += 1
        self.trimmed_bytes += returned
        self.last_trim_seconds = took
        log.debug("heap trim gave back %.1f MB in %.1f ms", returned / 1e6, took * 1000)
        return returned, took
