"""Suggestions fit the code they are made for: a streaming proxy that turns the overall timeout
off on purpose is told to bound the connect and read phases, not given `total=30`; a copy of a
dict is not told to use a `memoryview`."""

from __future__ import annotations

from conftest import lint

PROXY = """\
from aiohttp import ClientTimeout, web


async def ingress(request: web.Request, session):
    async with session.request(
        request.method, "http://backend/stream", timeout=ClientTimeout(total=None)
    ) as upstream:
        response = web.StreamResponse(status=upstream.status)
        await response.prepare(request)
        async for chunk in upstream.content.iter_chunked(65536):
            await response.write(chunk)
        return response
"""


def test_an_explicit_total_none_gets_phase_timeouts_not_a_total():
    (finding,) = [d for d in lint(PROXY, "proxy.py") if d.code == "ASY501"]
    assert finding.fix.title == (
        "If the exchange may take long (a stream, a proxy), keep `total=None` and bound its phases,"
        " e.g. `ClientTimeout(total=None, sock_read=60, sock_connect=30)`"
    )
    assert "total=30" not in finding.fix.title


def test_a_timeout_object_with_no_argument_still_gets_a_total():
    source = "import aiohttp\n\ntimeout = aiohttp.ClientTimeout()\n"
    (finding,) = [d for d in lint(source, "client.py") if d.code == "ASY501"]
    assert finding.fix.title == "Give it a timeout, e.g. `aiohttp.ClientTimeout(total=30)`"


def test_a_copy_of_a_dict_is_not_told_to_use_a_memoryview():
    source = """\
import json


async def log_jobs(jobs, base: dict):
    for job in jobs:
        print(job, json.dumps(dict(base)))
"""
    (finding,) = [d for d in lint(source, "jobs.py") if d.code == "ASY300"]
    assert "memoryview" not in finding.message and "memoryview" not in finding.fix.title
    assert finding.fix.title == "Read `base` itself (or copy it once, before the loop)"
