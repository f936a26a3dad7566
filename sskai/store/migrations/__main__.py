import sys

from sskai.store.migrations import main

sys.exit(main())
