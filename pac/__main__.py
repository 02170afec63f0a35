import sys

from pac.cli import main

sys.exit(main())
