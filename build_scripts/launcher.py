"""Entry script of the frozen executable: the same ``main()`` as the ``clinicdesk`` console script."""

import multiprocessing
import sys

from desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # no-op unless a worker process is ever spawned (Windows, macOS)
    sys.exit(main())
