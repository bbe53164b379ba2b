"""Only puts python/ and python/tests on sys.path, so the suite runs from any directory."""

import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
for _path in (os.path.dirname(_here), _here):
    if _path not in sys.path:
        sys.path.insert(0, _path)
