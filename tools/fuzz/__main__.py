"""python3 tools/fuzz ...: the fuzzer's command line (fuzz.cli)."""

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from fuzz.cli import main  # noqa: E402

sys.exit(main())
