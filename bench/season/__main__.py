"""`python -m bench.season`: the whole season from the command line (see the package's docstring)."""

import sys

from bench.season import main

sys.exit(main())
