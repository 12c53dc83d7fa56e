"""ASY600/ASY601 say "thousands at once" only for data whose size grows with load: a request,
a query, the network or a stream (analysis/sources.py); otherwise they name what the loop
walks and how many run at once."""

from __future__ import annotations

import pytest

from conftest import lint

HEADER = """\
import asyncio
import asyncpg
from fastapi import FastAPI

app = FastAPI()
pool: asyncpg.Pool


async def notify(item):
    return item
"""

LOAD_DRIVEN = {
    "request": """
@app.post("/batch")
async def batch(items: list[str]):
    await asyncio.gather(*(notify(i) for i in items))
""",
    "query": """
async def fan():
    rows = await pool.fetch("SELECT id FROM users")
    for row in rows:
        asyncio.create_task(notify(row))
""",
    "stream": """
async def relay(reader):
    async for line in reader:
        asyncio.create_task(notify(line))
""",
}

CONFIG_SIZED = """
class Group:
    def __init__(self, entities):
        self.entities = entities

    async def send(self):
        await asyncio.gather(*(notify(e) for e in self.entities))
        for entity in self.entities:
            asyncio.create_task(notify(entity))
"""


@pytest.mark.parametrize("case", sorted(LOAD_DRIVEN))
def test_data_from_outside_is_said_to_reach_thousands(case):
    found = [d for d in lint(HEADER + LOAD_DRIVEN[case], "app.py") if d.code in ("ASY600", "ASY601")]
    assert found
    for diagnostic in found:
        assert "thousands" in diagnostic.message
        assert "come from" in diagnostic.message
        assert diagnostic.fix.title.startswith("Bound it with")


def test_a_collection_of_unknown_origin_is_named_without_a_claim_of_scale():
    found = [d for d in lint(HEADER + CONFIG_SIZED, "app.py") if d.code in ("ASY600", "ASY601")]
    assert sorted(d.code for d in found) == ["ASY600", "ASY601"]
    for diagnostic in found:
        assert "thousands" not in diagnostic.message
        assert "`self.entities`" in diagnostic.message
        assert diagnostic.fix.title.startswith("If there can be many, bound it with")
