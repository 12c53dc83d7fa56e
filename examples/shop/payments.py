"""Clients for the card processor, the fraud-scoring service and the previous provider."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os

import httpx
import requests

PAYMENTS_URL = os.environ.get("SHOP_PAYMENTS_URL", "https://api.cardprocessor.example")
FRAUD_URL = os.environ.get("SHOP_FRAUD_URL", "http://fraud-scoring.internal:8080")
LEGACY_URL = os.environ.get("SHOP_LEGACY_PAYMENTS_URL", "https://legacy-pay.example/api")
API_KEY = os.environ.get("SHOP_PAYMENTS_KEY", "")
SIGNING_SECRET = os.environ.get("SHOP_PAYMENTS_SECRET", "").encode()

_http = httpx.AsyncClient(
    base_url=PAYMENTS_URL,
    headers={"Authorization": f"Bearer {API_KEY}"},
    timeout=httpx.Timeout(10.0, connect=3.0),
)
_fraud = httpx.Client(base_url=FRAUD_URL, timeout=2.0)
_legacy = requests.Session()
_refund_lock = asyncio.Lock()


class PaymentDeclined(Exception):
    pass


async def screen(user_id: int, amount_cents: int) -> None:
    resp = _fraud.post("/v2/score", json={"user_id": user_id, "amount": amount_cents})
    resp.raise_for_status()
    if resp.json()["score"] > 0.9:
        raise PaymentDeclined("flagged by fraud scoring")


async def capture(card_token: str, amount_cents: int) -> str:
    body = json.dumps({"token": card_token, "amount": amount_cents, "currency": "EUR"}).encode()
    signature = hmac.new(SIGNING_SECRET, body, hashlib.sha256).hexdigest()
    for attempt in range(4):
        resp = await _http.post("/v1/captures", content=body, headers={"X-Signature": signature})
        if resp.status_code < 500:
            break
        await asyncio.sleep(0.2 * 2**attempt)
    if resp.status_code == 402:
        raise PaymentDeclined(resp.json().get("decline_reason", "card declined"))
    resp.raise_for_status()
    return resp.json()["id"]


async def refund(charge_id: str, amount_cents: int) -> None:
    async with _refund_lock:
        resp = await _http.post(f"/v1/charges/{charge_id}/refunds", json={"amount": amount_cents})
    resp.raise_for_status()


async def refund_legacy(order_ref: str) -> None:
    """Orders placed before the migration were charged through the previous provider."""
    resp = _legacy.post(f"{LEGACY_URL}/refunds", data={"order": order_ref}, timeout=10)
    resp.raise_for_status()
