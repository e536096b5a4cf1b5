"""`python -m agnews_core` runs the command line."""

import os
import sys

from agnews_core.cli.main import main

try:
    sys.exit(main())
except BrokenPipeError:  # e.g. `data show … | head`: the reader left; say nothing more
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
