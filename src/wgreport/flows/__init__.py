"""Prefect flows and tasks for wgreport: thin wrappers around the `wgreport` library."""
