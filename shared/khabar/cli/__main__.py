"""`python -m khabar.cli ...` = `khabar ...`."""

import sys

from khabar.cli import main

sys.exit(main())
