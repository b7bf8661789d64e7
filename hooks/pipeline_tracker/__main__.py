"""`python -m pipeline_tracker` runs the command-line interface."""

import sys

from pipeline_tracker.cli import main

sys.exit(main())
