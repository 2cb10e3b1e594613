"""Print the URL of a PostgreSQL test database, creating it if needed; exit 1 if no server answers.

`make test` uses this to decide whether to run the suite a second time on PostgreSQL.
"""
import os
import sys

import psycopg

HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = os.environ.get("PGPORT", "5432")
USER = os.environ.get("PGUSER", "postgres")


def main(name):
    try:
        with psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", connect_timeout=3,
                             autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL does not answer on {HOST}:{PORT}: {exc}", file=sys.stderr)
        return 1
    print(f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "coalition_test"))
