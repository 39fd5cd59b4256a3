"""``python -m vrc_geo``: see :mod:`vrc_geo.cli`."""

import sys

from .cli import main

sys.exit(main())
