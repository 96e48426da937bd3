"""Deploy targets: plug-ins behind `interface.Target`. A plain dict is the registry."""

from __future__ import annotations

from ci.deploy.targets.interface import Health, Release, Target
from ci.deploy.targets.local import LocalTarget

TARGETS = {"local": LocalTarget}

__all__ = ["TARGETS", "Health", "LocalTarget", "Release", "Target"]
