"""A throw-away PostgreSQL database for a benchmark run: created empty, dropped in a finally block.

Uses the client tools (createdb/dropdb) on 127.0.0.1:5432 as user postgres, as bench/http.py does.
"""

import contextlib
import os
import subprocess

PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]


def url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def create(name: str) -> None:
    subprocess.run(["createdb", *PG, name], check=True)


def drop(name: str) -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=False)


@contextlib.contextmanager
def throwaway(prefix: str = "seasons_bench"):
    """Yield the name of a new empty database; drop it however the block ends."""
    name = f"{prefix}_{os.getpid()}"
    drop(name)  # a leftover of a killed run with the same pid
    create(name)
    try:
        yield name
    finally:
        drop(name)
