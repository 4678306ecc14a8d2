"""`python -m wgreport`: the same command line as `wgreport`."""

from .cli import app

app(prog_name="wgreport")
