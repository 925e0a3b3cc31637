import sys

from audioml.cli import main

sys.exit(main())
