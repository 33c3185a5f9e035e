"""Run the asset command line: ``python -m helpers --help``."""

import sys

from .cli import main

sys.exit(main())
