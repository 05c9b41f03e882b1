import sys

from safetynet.cli import main

sys.exit(main())
