"""What a gate hides: this process's secret values in every form they reach output in,
and an environment for code under test with those values swapped for canaries.

logsafe gives the raw, URL-encoded and base64 forms; a failing assertion also prints
bytes as hex, and XML reports escape `&<>"'`, so those forms are added here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache

from logsafe import Redactor, encodings, is_secret_name

_MIN_LENGTH = 6  # as logsafe: shorter values are too likely to be ordinary words


def forms(value: str) -> set[str]:
    """Every form of `value` that must never be shown."""
    import html  # only once there is a secret to spell out

    raw = value.encode()
    extra = {raw.hex(), raw.hex().upper(), html.escape(value), html.escape(value, quote=False)}
    return {f for f in encodings(value) | extra if len(f) >= _MIN_LENGTH}


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    return [v for k, v in env.items() if is_secret_name(k) and len(v) >= _MIN_LENGTH]


def redactor(environ: Mapping[str, str] | None = None, extra: Iterable[str] = ()) -> Redactor:
    """A Redactor for this process's secrets (and `extra` values), in all their forms.

    Made once per environment and kept (a Redactor never changes): a deploy runs git a dozen
    times, and each run's output is redacted. Reading every variable's name and spelling out
    each secret's forms again took about 1 ms of CPU each time (5 ms under coverage) with an
    SSH key among them. Any change to the environment, a secret set or rotated, makes a new
    one."""
    env = os.environ if environ is None else environ
    return _redactor_of(tuple(env.items()), tuple(extra))


@lru_cache(maxsize=8)
def _redactor_of(environ: tuple[tuple[str, str], ...], extra: tuple[str, ...]) -> Redactor:
    env = dict(environ)
    values = [*secret_values(env), *extra]
    return Redactor.from_environ(env).with_secrets(f for value in values for f in forms(value))


def canary_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment whose secret-named variables hold canaries, not secrets.

    Code under test still finds the variable set (and a leak of it is recognisable), but
    the value is worthless: `canary-<name>-<digest>`, never derived from the real value.
    """
    import hashlib  # only for code under test: the lint gate and hooks need none

    env = dict(os.environ if environ is None else environ)
    for name in [k for k in env if is_secret_name(k)]:
        tag = hashlib.sha256(name.encode()).hexdigest()[:12]
        env[name] = f"canary-{name.lower()}-{tag}"
    return env
