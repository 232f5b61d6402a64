"""Demo data for `make run` (load_demo in load.py): loading is idempotent."""
