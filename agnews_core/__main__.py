"""`python -m agnews_core` runs the command line."""

import sys

from agnews_core.cli.main import main

sys.exit(main())
