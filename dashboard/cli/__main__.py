"""`python -m dashboard.cli` is `gridcmd` too, as it was when the CLI was one module."""

import sys

from dashboard.cli import main

sys.exit(main())
