"""Operator commands, run from deploy scripts and by hand.

    python -m shop.cli wait http://localhost:8000
    python -m shop.cli migrate
    python -m shop.cli seed products.csv      (or: seed --legacy-db stock.sqlite3)
    python -m shop.cli reset
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sqlite3
import subprocess
import sys
import time

import requests

from . import db


def wait_for_api(url: str, attempts: int = 30) -> None:
    for _ in range(attempts):
        try:
            if requests.get(f"{url}/healthz", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    sys.exit(f"{url} did not become healthy")


def read_seed_file(path: str) -> list[tuple[str, str, int]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["sku"], r["name"], int(r["price_cents"])) for r in csv.DictReader(fh)]


def read_legacy_products(path: str) -> list[tuple[str, str, int]]:
    with sqlite3.connect(path) as conn:
        cur = conn.execute("SELECT sku, name, price_cents FROM products WHERE discontinued = 0")
        return cur.fetchall()


async def _seed(rows: list[tuple[str, str, int]]) -> None:
    pool = await db.connect()
    try:
        await pool.executemany(
            "INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3)"
            " ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents",
            rows,
        )
    finally:
        await pool.close()


async def _reset() -> None:
    pool = await db.connect()
    try:
        await db.reset_demo_data(pool, interactive=False)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="shop")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("wait").add_argument("url")
    commands.add_parser("migrate")
    seed = commands.add_parser("seed")
    seed.add_argument("csv", nargs="?")
    seed.add_argument("--legacy-db")
    commands.add_parser("reset")
    args = parser.parse_args(argv)

    if args.command == "wait":
        wait_for_api(args.url)
    elif args.command == "migrate":
        subprocess.run(["alembic", "upgrade", "head"], check=True)
    elif args.command == "seed":
        rows = read_legacy_products(args.legacy_db) if args.legacy_db else read_seed_file(args.csv)
        asyncio.run(_seed(rows))
    elif args.command == "reset":
        if input("This deletes every order. Type 'reset' to continue: ") != "reset":
            sys.exit("aborted")
        asyncio.run(_reset())


if __name__ == "__main__":
    main()
