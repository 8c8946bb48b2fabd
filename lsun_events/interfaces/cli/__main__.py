"""``python -m lsun_events.interfaces.cli``: as the console script ``lsun-events``."""

import sys

from lsun_events.interfaces.cli import main

sys.exit(main())
