"""Product images: upload, download, thumbnails."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess

import aiofiles
import anyio
import requests
from fastapi import APIRouter, HTTPException, Request, Response

MEDIA_ROOT = os.environ.get("SHOP_MEDIA_ROOT", "/var/lib/shop/media")
MAX_UPLOAD = 8 * 1024 * 1024

router = APIRouter(prefix="/media")


def _thumb_path(name: str) -> str:
    stem, _ = os.path.splitext(os.path.basename(name))
    return os.path.join(MEDIA_ROOT, "thumbs", f"{stem}.jpg")


@router.get("/{name}")
async def get_image(name: str) -> Response:
    path = os.path.join(MEDIA_ROOT, os.path.basename(name))
    if not os.path.exists(path):
        raise HTTPException(404, "no such image")
    with open(path, "rb") as fh:
        data = fh.read()
    return Response(data, media_type="image/jpeg")


@router.get("/{name}/thumb")
async def get_thumbnail(name: str) -> Response:
    thumb = anyio.Path(_thumb_path(name))
    if not await thumb.exists():
        raise HTTPException(404, "no thumbnail yet")
    return Response(await thumb.read_bytes(), media_type="image/jpeg")


@router.put("/{name}")
async def upload_image(name: str, request: Request) -> dict:
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_UPLOAD:
            raise HTTPException(413, "image too large")
    path = os.path.join(MEDIA_ROOT, os.path.basename(name))
    async with aiofiles.open(path, "wb") as fh:
        await fh.write(data)
    subprocess.run(["convert", path, "-thumbnail", "400x400", _thumb_path(name)], check=True)
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest()}


@router.post("/import")
async def import_image(url: str, name: str) -> dict:
    resp = await asyncio.to_thread(requests.get, url, timeout=10)
    resp.raise_for_status()
    path = os.path.join(MEDIA_ROOT, os.path.basename(name))
    async with aiofiles.open(path, "wb") as fh:
        await fh.write(resp.content)
    return {"name": name, "bytes": len(resp.content)}
