"""`python -m dashboard` is `gridcmd`."""

import sys

from dashboard.cli import main

sys.exit(main())
