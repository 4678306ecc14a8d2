"""Where and how wgreport runs: settings, the clock, the background server, the Dask
cluster, the two installs."""
