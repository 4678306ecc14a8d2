"""The command line (`wgreport ...`): `main` holds the app; the other modules its command groups."""
