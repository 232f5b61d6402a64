"""The benchmark's data generator: ten times GSoC 2024 in PostgreSQL, in under two minutes.

    DJANGO_SETTINGS_MODULE=bench.settings \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \
    .venv/bin/python -m bench.generate [--scale 0.01] [--json out.json]

Run it as a module (bench/http.py would shadow the standard library's http otherwise), on a
migrated, empty database. `generate()` returns the counts and what a benchmark needs: the program
slugs, the reviewing mentor, the spike's contributors (all with the password "seasons-bench").
"""

import argparse
import json
import sys
import time

import django


def generate(*, scale: float = 1.0, now=None) -> dict:
    """Load the dataset (see bench/dataset.py) in one transaction; returns counts and handles."""
    from bench.dataset import build

    return build(scale=scale, now=now)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = ten times GSoC 2024")
    parser.add_argument("--json", help="write the result (with every spike e-mail) to this file")
    args = parser.parse_args(argv)
    django.setup()
    started = time.perf_counter()
    result = generate(scale=args.scale)
    elapsed = time.perf_counter() - started
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=1)
    shown = {
        **result,
        "spike": {k: v for k, v in result["spike"].items() if k not in ("emails", "orgs")},
    }
    print(json.dumps(shown, indent=1))
    print(f"generated in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
