"""ISO 4217 currency codes and their minor-unit exponents.

The exponent is the number of decimal places of the currency's minor unit: an amount of
12,345 in minor units is 123.45 USD (exponent 2), 12,345 JPY (exponent 0) or 12.345 KWD
(exponent 3). The table follows the ISO 4217 list of current codes (list one, 2025
edition), plus HRK, which was withdrawn in 2023 but still appears in billing history.
Codes without a minor unit in ISO 4217 (precious metals, XDR, XXX) are left out, because
they are not billing currencies.
"""

from __future__ import annotations

# Codes whose minor unit is not the usual hundredth.
_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_EXPONENT_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD "
    "BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD "
    "EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS "
    "INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT "
    "MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR "
    "PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP "
    "SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER "
    "ZAR ZMW ZWG ZWL"
)

MINOR_UNIT_EXPONENTS: dict[str, int] = {
    code: exponent
    for codes, exponent in (
        (_EXPONENT_0, 0),
        (_EXPONENT_2, 2),
        (_EXPONENT_3, 3),
        (_EXPONENT_4, 4),
    )
    for code in codes.split()
}


class UnknownCurrencyError(ValueError):
    """A code that is not in the ISO 4217 table."""


def is_known(code: str) -> bool:
    """Tell whether ``code`` (upper case, such as ``EUR``) is an ISO 4217 currency code.

    >>> is_known("EUR"), is_known("eur"), is_known("EURO")
    (True, False, False)
    """
    return code in MINOR_UNIT_EXPONENTS


def minor_unit_exponent(code: str) -> int:
    """Return the number of decimal places of the currency's minor unit.

    Raises:
        UnknownCurrencyError: ``code`` is not an ISO 4217 code.

    >>> minor_unit_exponent("USD"), minor_unit_exponent("JPY"), minor_unit_exponent("KWD")
    (2, 0, 3)
    """
    try:
        return MINOR_UNIT_EXPONENTS[code]
    except KeyError:
        raise UnknownCurrencyError(
            f"{code!r} is not an ISO 4217 currency code, such as USD, EUR or JPY"
        ) from None
