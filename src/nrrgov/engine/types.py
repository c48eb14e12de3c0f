"""SQL types of money and rates, shared by every stage.

Money is a fixed-point decimal so that sums are exact and the MRR bridge closes to the
last digit; 6 decimal places keep cents exact after dividing by a billing period.
Products of money and rate are cast back to MONEY right after the multiplication.
"""

MONEY = "DECIMAL(18, 6)"
RATE = "DECIMAL(18, 10)"
RATIO = "DOUBLE"
