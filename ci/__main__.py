from __future__ import annotations

from ci.cli import main

raise SystemExit(main())
