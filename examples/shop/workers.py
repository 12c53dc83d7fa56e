"""Background jobs. Order events, receipts and webhooks run in the API process; the rest, cron."""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import os
import socket
import time
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import aiosmtplib
import asyncpg
import requests

from . import db

RECEIPT_TEMPLATE = Path(os.environ.get("SHOP_RECEIPT_TEMPLATE", "templates/receipt.txt"))
SMTP_HOST = os.environ.get("SHOP_SMTP_HOST", "localhost")
PUSHGATEWAY_URL = os.environ.get("SHOP_PUSHGATEWAY_URL", "http://pushgateway:9091/metrics/job/shop")
SUPPLIER_FEEDS = [u for u in os.environ.get("SHOP_SUPPLIER_FEEDS", "").split(",") if u]

order_events: asyncio.Queue[dict] = asyncio.Queue(maxsize=1000)
receipts: asyncio.Queue[dict] = asyncio.Queue()

_session: aiohttp.ClientSession | None = None


async def start(pool: asyncpg.Pool) -> list[asyncio.Task]:
    global _session
    _session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10, connect=3))
    tasks = [asyncio.create_task(_order_worker(pool)) for _ in range(4)]
    tasks.append(asyncio.create_task(_mailer()))
    return tasks


async def stop(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if _session is not None:
        await _session.close()


async def _order_worker(pool: asyncpg.Pool) -> None:
    while True:
        event = await order_events.get()
        try:
            await receipts.put(event)
            await broadcast(pool, event)
        finally:
            order_events.task_done()


async def _mailer() -> None:
    while True:
        order = await receipts.get()
        message = EmailMessage()
        message["From"] = "orders@shop.example"
        message["To"] = order["email"]
        message["Subject"] = f"Your order #{order['order_id']}"
        message.set_content(RECEIPT_TEMPLATE.read_text(encoding="utf-8").format(**order))
        await aiosmtplib.send(message, hostname=SMTP_HOST, port=587, start_tls=True)


async def broadcast(pool: asyncpg.Pool, event: dict) -> None:
    hooks = await pool.fetch(
        "SELECT url FROM webhooks WHERE active AND event_type = $1", event["type"]
    )
    for hook in hooks:
        asyncio.create_task(_deliver(hook["url"], event))


async def _deliver(url: str, event: dict) -> None:
    host = urlsplit(url).hostname or ""
    if ipaddress.ip_address(socket.gethostbyname(host)).is_private:
        return
    for attempt in range(5):
        async with _session.post(url, json=event) as resp:
            if resp.status < 500:
                return
        await asyncio.sleep(2**attempt)


async def _download(session: aiohttp.ClientSession, url: str) -> bytes:
    chunks = []
    async with session.get(url) as resp:
        resp.raise_for_status()
        async for buf in resp.content.iter_chunked(64 * 1024):
            chunks.append(bytes(buf))
    return b"".join(chunks)


def _parse_feed(raw: bytes) -> list[tuple[str, int]]:
    return [(sku, int(price)) for sku, price in csv.reader(io.StringIO(raw.decode("utf-8")))]


async def refresh_supplier_prices(pool: asyncpg.Pool) -> int:
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        feeds = await asyncio.gather(*[_download(session, url) for url in SUPPLIER_FEEDS])
    rows = [row for feed in feeds for row in _parse_feed(feed)]
    await pool.executemany("UPDATE products SET price_cents = $2 WHERE sku = $1", rows)
    return len(rows)


async def export_product_feed(pool: asyncpg.Pool, out_dir: str) -> str:
    rows = await db.all_products(pool)
    path = os.path.join(out_dir, f"products-{date.today():%Y%m%d}.csv")

    def write_csv() -> None:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["sku", "name", "price_cents"])
            writer.writerows((r["sku"], r["name"], r["price_cents"]) for r in rows)

    await asyncio.to_thread(write_csv)
    os.system(f"gzip -f {path}")
    return path + ".gz"


async def push_metrics(metrics: dict[str, float]) -> None:
    body = "".join(f"shop_{name} {value}\n" for name, value in metrics.items())

    def push() -> None:
        for attempt in range(3):
            if requests.post(PUSHGATEWAY_URL, data=body, timeout=5).ok:
                return
            time.sleep(1 + attempt)

    await asyncio.to_thread(push)
