"""``python -m desktop`` behaves exactly like the ``clinicdesk`` console script."""

import sys

from desktop.cli import main

sys.exit(main())
