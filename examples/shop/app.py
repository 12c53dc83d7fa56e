"""HTTP API: catalogue, cart and checkout, accounts, invoices, webhooks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from hashlib import pbkdf2_hmac

import aiohttp
import asyncpg
import bcrypt
import redis
import requests
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fpdf import FPDF
from pydantic import BaseModel

from . import db, payments, storage, workers

SHIPPING_URL = os.environ.get("SHOP_SHIPPING_URL", "https://rates.parcelco.example/v1")
FEATURED_PATH = os.environ.get("SHOP_FEATURED_PATH", "/etc/shop/featured.json")
TOKEN_KEY = os.environ.get("SHOP_TOKEN_KEY", "dev-only").encode()

_redis = redis.Redis(host=os.environ.get("SHOP_REDIS_HOST", "localhost"), socket_timeout=1.0)
_pdf_pool = ThreadPoolExecutor(max_workers=2)
_featured_ready = threading.Event()
_featured: dict[str, list[dict]] = {}
_view_counts: dict[int, int] = {}


class ProductOut(BaseModel):
    id: int
    sku: str
    name: str
    price_cents: int


class CartLine(BaseModel):
    product_id: int
    quantity: int


class Checkout(BaseModel):
    user_id: int
    email: str
    card_token: str
    lines: list[CartLine]


class Credentials(BaseModel):
    email: str
    password: str


def _load_featured() -> None:
    with open(FEATURED_PATH, encoding="utf-8") as fh:
        _featured.update(json.load(fh))
    _featured_ready.set()


def render_invoice_pdf(order: dict) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, f"Invoice for order #{order['id']}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, f"Total: EUR {order['total_cents'] / 100:.2f}")
    return bytes(pdf.output())


def _issue_token(user_id: int) -> str:
    payload = f"{user_id}:{int(time.time()) + 3600}"
    return payload + ":" + hmac.new(TOKEN_KEY, payload.encode(), hashlib.sha256).hexdigest()


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await db.connect()
    app.state.products = db.ProductCache(app.state.pool)
    threading.Thread(target=_load_featured, daemon=True).start()
    tasks = await workers.start(app.state.pool)
    yield
    await workers.stop(tasks)
    await app.state.pool.close()


app = FastAPI(title="shop", lifespan=lifespan)
app.include_router(storage.router)


def get_pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


@app.get("/products")
async def list_products(category: str, after: int = 0, pool: asyncpg.Pool = Depends(get_pool)):
    rows = await db.list_products(pool, category, after_id=after)
    return [ProductOut(**row) for row in rows]


@app.get("/products/{product_id}")
async def get_product(product_id: int, request: Request) -> Response:
    row = await request.app.state.products.get(product_id)
    if row is None:
        raise HTTPException(404, "no such product")
    async with asyncio.Lock():
        _view_counts[product_id] = _view_counts.get(product_id, 0) + 1
    body = json.dumps(dict(row)).encode()
    etag = hashlib.sha256(body).hexdigest()
    return Response(body, media_type="application/json", headers={"ETag": etag})


@app.get("/featured/{slot}")
async def featured(slot: str):
    if not _featured_ready.wait(timeout=2.0):
        raise HTTPException(503, "featured lists are still loading")
    return _featured.get(slot, [])


@app.get("/stock/{sku}")
async def stock(sku: str, pool: asyncpg.Pool = Depends(get_pool)):
    qty = await pool.fetchval("SELECT qty FROM stock WHERE sku = $1", sku)
    if qty is None:
        qty = await db.legacy_stock(sku)
    return {"sku": sku, "available": qty or 0}


@app.get("/shipping/quote")
async def shipping_quote(postcode: str, weight_grams: int):
    params = {"postcode": postcode, "grams": weight_grams}
    for attempt in range(3):
        resp = requests.get(f"{SHIPPING_URL}/quote", params=params, timeout=5)
        if resp.status_code != 503:
            break
        time.sleep(0.5 * (attempt + 1))
    resp.raise_for_status()
    return resp.json()


@app.post("/checkout")
async def checkout(order: Checkout, pool: asyncpg.Pool = Depends(get_pool)):
    total = await db.price_cart(pool, order.lines)
    try:
        await payments.screen(order.user_id, total)
        charge_id = await payments.capture(order.card_token, total)
    except payments.PaymentDeclined as exc:
        raise HTTPException(402, str(exc)) from exc
    order_id = await db.insert_order(pool, order.user_id, order.lines, total)
    await workers.order_events.put(
        {"type": "order.paid", "order_id": order_id, "email": order.email,
         "total_cents": total, "charge_id": charge_id}
    )
    return {"order_id": order_id, "total_cents": total}


@app.post("/signup")
async def signup(creds: Credentials, pool: asyncpg.Pool = Depends(get_pool)):
    hashed = bcrypt.hashpw(creds.password.encode(), bcrypt.gensalt(rounds=12))
    user_id = await pool.fetchval(
        "INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id", creds.email, hashed
    )
    return {"user_id": user_id, "token": _issue_token(user_id)}


@app.post("/login")
async def login(creds: Credentials, pool: asyncpg.Pool = Depends(get_pool)):
    key = f"login-attempts:{creds.email}"
    if _redis.incr(key) > 10:
        raise HTTPException(429, "too many attempts, try again in 15 minutes")
    _redis.expire(key, 900)
    user = await pool.fetchrow(
        "SELECT id, password_hash, legacy_salt FROM users WHERE email = $1", creds.email
    )
    if user is None:
        raise HTTPException(401, "wrong email or password")
    password = creds.password.encode()
    if user["legacy_salt"] is not None:
        digest = pbkdf2_hmac("sha256", password, user["legacy_salt"], 260_000)
        ok = hmac.compare_digest(digest, user["password_hash"])
    else:
        ok = await asyncio.to_thread(bcrypt.checkpw, password, user["password_hash"])
    if not ok:
        raise HTTPException(401, "wrong email or password")
    return {"token": _issue_token(user["id"])}


@app.get("/orders/{order_id}/invoice.pdf")
async def invoice(order_id: int, pool: asyncpg.Pool = Depends(get_pool)) -> Response:
    order = await pool.fetchrow("SELECT id, total_cents FROM orders WHERE id = $1", order_id)
    if order is None:
        raise HTTPException(404, "no such order")
    future = _pdf_pool.submit(render_invoice_pdf, dict(order))
    return Response(future.result(timeout=30), media_type="application/pdf")


@app.post("/webhooks/test")
async def test_webhook(url: str):
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"type": "ping"}) as resp:
            return {"status": resp.status}
