"""Data tables read by asynclint's checks (see README.md); a package so they ship in the wheel."""
