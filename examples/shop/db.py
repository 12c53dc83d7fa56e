"""Postgres access through asyncpg, plus the old warehouse system's SQLite file."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Iterable, Protocol

import asyncpg

DATABASE_URL = os.environ.get("SHOP_DATABASE_URL", "postgresql://shop@localhost/shop")
LEGACY_DB = os.environ.get("SHOP_LEGACY_DB", "/var/lib/warehouse/stock.sqlite3")


class Line(Protocol):
    product_id: int
    quantity: int


async def connect() -> asyncpg.Pool:
    return await asyncpg.create_pool(DATABASE_URL, command_timeout=10)


class ProductCache:
    """In-process cache in front of the products table; products change a few times a day."""

    def __init__(self, pool: asyncpg.Pool, ttl: float = 60.0) -> None:
        self._pool = pool
        self._ttl = ttl
        self._entries: dict[int, tuple[float, asyncpg.Record | None]] = {}
        self._lock = threading.Lock()

    async def get(self, product_id: int) -> asyncpg.Record | None:
        with self._lock:
            hit = self._entries.get(product_id)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
            row = await self._pool.fetchrow(
                "SELECT id, sku, name, description, price_cents FROM products WHERE id = $1",
                product_id,
            )
            self._entries[product_id] = (time.monotonic() + self._ttl, row)
            return row


async def list_products(pool: asyncpg.Pool, category: str, after_id: int = 0) -> list[asyncpg.Record]:
    return await pool.fetch(
        """SELECT id, sku, name, price_cents FROM products
           WHERE category = $1 AND id > $2 ORDER BY id LIMIT 50""",
        category,
        after_id,
    )


async def all_products(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM products")


async def price_cart(pool: asyncpg.Pool, lines: Iterable[Line]) -> int:
    total = 0
    for line in lines:
        price = await pool.fetchval("SELECT price_cents FROM products WHERE id = $1", line.product_id)
        if price is None:
            raise LookupError(f"unknown product {line.product_id}")
        total += price * line.quantity
    return total


async def insert_order(pool: asyncpg.Pool, user_id: int, lines: list[Line], total_cents: int) -> int:
    async with pool.acquire() as conn:
        async with conn.transaction():
            order_id = await conn.fetchval(
                "INSERT INTO orders (user_id, total_cents, status) VALUES ($1, $2, 'paid') RETURNING id",
                user_id,
                total_cents,
            )
            await conn.executemany(
                "INSERT INTO order_lines (order_id, product_id, quantity) VALUES ($1, $2, $3)",
                [(order_id, line.product_id, line.quantity) for line in lines],
            )
    return order_id


async def legacy_stock(sku: str) -> int | None:
    """SKUs that are not migrated yet keep their stock in the old warehouse system."""
    with sqlite3.connect(LEGACY_DB) as conn:
        cur = conn.cursor()
        cur.execute("SELECT qty FROM stock WHERE sku = ?", (sku,))
        row = cur.fetchone()
    return row[0] if row else None


async def reset_demo_data(pool: asyncpg.Pool, *, interactive: bool = True) -> None:
    """Empty the order tables of a staging database before a demo."""
    if interactive:
        answer = input(f"Delete every order and cart in {DATABASE_URL}? [y/N] ")
        if answer.strip().lower() != "y":
            return
    await pool.execute("TRUNCATE orders, order_lines, carts RESTART IDENTITY")
