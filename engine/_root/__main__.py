"""`python -m regelwerk`: the same as the `regelwerk` command."""

from regelwerk.engine.cli import main

if __name__ == "__main__":  # pragma: no branch
    main(prog_name="regelwerk")
