"""`python -m pipeline` runs the `award` command line."""

from pipeline.cli import main

main()
