"""The Redactor for the secrets in os.environ right now, cheap enough for every log record.

A secret set in the environment is masked from the very next record. Re-reading every
variable per record would cost more than the logging itself, so each call only asks
whether anything that matters may have changed since the last read, and re-reads then.

The rule relied on (CPython's os.environ, a wrapper around the dict `os.environ._data`
that every `os.environ[...] = ...`, `del`, `pop`, `update` and `clear` goes through):

* a variable set for the first time, or set again after a `del`, is a new key at the end
  of that dict (dicts keep insertion order), and its key is a newly encoded bytes object
  (a one-character name may reuse a shared one: the length is compared as well), so
  the dict's last key is no longer the object remembered at the last read;
* a variable already present keeps its place but gets a newly encoded value, so the
  values of the secret variables, compared with those remembered, tell a changed secret;
* a secret variable removed is missing from that comparison, and changes the length.

So "same length, same last key object, same secret values" means the secrets are unchanged.
`os.putenv` and C code calling setenv() bypass os.environ entirely; Python does not see
those either. Anything other than os._Environ (a test that swapped os.environ for a
dict, another interpreter) is re-read on every call: correct, only slower.

Why no change notification instead (the check is about a twentieth of a plain log call):
since Python 3.9 `__setitem__` and `__delitem__` call the module's `putenv`/`unsetenv`,
not callbacks of the instance; the instance's only hooks, `encodekey` and `encodevalue`,
run before the write to `_data` (and `encodekey` on every read too). A record logged by
another thread between such a hook and the write would be read as unchanged and would
stay so: a secret set then would go unmasked. Wrapping module functions or replacing
os.environ would change process-wide objects. So every record asks the dict itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from logsafe.names import is_secret_name
from logsafe.redactor import Redactor


class _Snapshot(NamedTuple):  # a tuple: unpacked in one step on every record
    environ: object  # the os.environ read, so that one swapped wholesale is noticed
    data: dict[Any, Any]
    length: int
    last_key: object
    newest: Callable[[], Any]  # data.__reversed__: the keys from the last one added
    secret_values: Callable[[Any], object]  # the secret variables' values, from the dict
    remembered: object  # what secret_values returned at the read
    redactor: Redactor


@lru_cache(maxsize=4096)
def _secret_name(name: str) -> bool:
    return is_secret_name(name)


@lru_cache(maxsize=8)
def _redactor_for(values: tuple[str, ...]) -> Redactor:
    return Redactor().with_secrets(values)


_snapshot: _Snapshot | None = None


def _no_secret_values(data: object) -> object:
    return ()


def _read(environ: os._Environ[str], data: dict[Any, Any]) -> _Snapshot:
    # A copy first: another thread may change the environment while we read it.
    items = list(data.copy().items())
    keys = [k for k, _ in items if _secret_name(environ.decodekey(k))]
    getter: Callable[[Any], object] = itemgetter(*keys) if keys else _no_secret_values
    by_key = dict(items)
    values = tuple(sorted(environ.decodevalue(by_key[k]) for k in keys))
    last_key = items[-1][0] if items else None
    return _Snapshot(
        environ,
        data,
        len(items),
        last_key,
        data.__reversed__,
        getter,
        getter(by_key),
        _redactor_for(values),
    )


def current() -> Redactor:
    """A Redactor for the secrets in os.environ as it is now (see the module's rule)."""
    global _snapshot
    environ = os.environ
    if _snapshot is not None:
        seen, data, length, last_key, newest, secret_values, remembered, redactor = _snapshot
        try:
            if (
                seen is environ
                and len(data) == length
                and next(newest(), None) is last_key
                and secret_values(data) == remembered
            ):
                return redactor
        except KeyError:  # a secret variable was removed
            pass
    raw = getattr(environ, "_data", None)
    if not isinstance(environ, os._Environ) or type(raw) is not dict:
        return _from(environ)
    _snapshot = _read(environ, raw)
    return _snapshot.redactor


def _from(environ: Mapping[str, str]) -> Redactor:
    return _redactor_for(tuple(sorted(v for k, v in environ.items() if _secret_name(k))))


def refresh() -> None:
    """Forget the last read: the next record re-reads os.environ. Never needed for
    changes made through os.environ; kept for callers that changed it otherwise."""
    global _snapshot
    _snapshot = None
