"""Stable codes of the data errors raised by ingest and normalize.

Structural problems (a file, a column or the shape of a file) always stop the run. Row
problems stop it too unless the source sets ``on_invalid: quarantine``; then the row goes
to the ``quarantine`` table with its reason.
"""

# Structural: always an error.
FILE_NOT_FOUND = "NRG401"
EMPTY_FILE = "NRG402"
NOT_UTF8 = "NRG403"
MALFORMED_CSV = "NRG404"
MISSING_COLUMN = "NRG405"
DUPLICATE_KEY = "NRG406"
SOURCE_SETUP = "NRG407"

# Row problems: an error, or quarantined with ``on_invalid: quarantine``.
INVALID_VALUE = "NRG411"
MISSING_VALUE = "NRG412"
UNKNOWN_CURRENCY = "NRG413"
UNKNOWN_BILLING_PERIOD = "NRG414"
NON_RECURRING = "NRG415"
UNKNOWN_ACCOUNT = "NRG416"
INVALID_RATE = "NRG417"
# Quarantined under either ``on_invalid`` setting, because the row is well formed but
# carries nothing.
EMPTY_SERVICE_PERIOD = "NRG418"

# Checks after normalization.
NO_DATA = "NRG421"
AS_OF_BEFORE_DATA = "NRG422"
MISSING_FX_RATE = "NRG423"
NEGATIVE_MRR = "NRG424"
MONEY_OUT_OF_RANGE = "NRG425"
