"""`python -m orderflow_lib.cli` runs the `orderflow` command."""

from orderflow_lib.cli import main

raise SystemExit(main())
