"""`python -m wgreport`: the same command line as `wgreport`."""

from .cli.main import app

app(prog_name="wgreport")
