"""Allow `python -m engine`."""

import sys

from engine.cli import main

# Guarded: a worker process started by `spawn` must not start another engine.
if __name__ == "__main__":
    sys.exit(main())
