"""`python -m bot.web` is the same as `python -m bot.web.server`."""

import sys

from bot.web.server import main

sys.exit(main())
