"""`python -m workerskv` runs the command line."""

from workerskv.cli import main

main()
