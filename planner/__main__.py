"""`python -m planner` runs the ecsplan CLI."""

from planner.cli.main import main

if __name__ == "__main__":
    main()
