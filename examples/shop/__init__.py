"""shop: the HTTP API and background jobs of a small web shop.

Run the API with `uvicorn shop.app:app`; operator commands live in `shop.cli`.
"""

__version__ = "0.4.2"
