"""Scaling out: tasks, their wire encoding, the process pool (``--jobs``) and Dask."""
