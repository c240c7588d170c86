"""English names of the codes Ura's table definitions use, for SDMX code lists and for people.

Eurostat's labels where the code is Eurostat's (migr_asydcfsta, migr_asyappctza, migr_resfirst,
migr_eirfs, crim_thb_vexp), Ura's own wording for Ura's codes (``CONDREF``, ``HUMAN``,
readmission stages). Countries are named from CLDR and provinces from the reference tables
(:func:`ura.stats.outputs.meta.code_name`), not here.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_NACE_SECTIONS: Final = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service activities",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers",
    "U": "Activities of extraterritorial organisations and bodies",
}

# Grounds for refusal of entry: the letters of the standard form, Schengen Borders Code
# (Regulation (EU) 2016/399) Annex V Part B.
_REFUSAL_GROUNDS: Final = {
    "A": "No valid travel document",
    "B": "False, counterfeit or forged travel document",
    "C": "No valid visa or residence permit",
    "D": "False, counterfeit or forged visa or residence permit",
    "E": "No appropriate documentation justifying the purpose and conditions of stay",
    "F": "Has already stayed 90 days in a 180-day period",
    "G": "Does not have sufficient means of subsistence",
    "H": "An alert has been issued to refuse entry",
    "I": "Considered a threat to public policy, internal security, public health or "
    "international relations",
}

CODE_NAMES: Final = MappingProxyType(
    {
        "DECISION": {
            "GENCONV": "Geneva Convention status",
            "CONDREF": "Conditional refugee status",
            "SUB_PROT": "Subsidiary protection status",
            "HUMSTAT": "Humanitarian status",
            "REJECTED": "Rejected",
            "TOTAL_POS": "Total positive decisions",
        },
        "ASYL_APP": {"NASY_APP": "First time applicant", "SUBS_APP": "Subsequent applicant"},
        "REASON": {
            "FAM": "Family reasons",
            "EDUC": "Education reasons",
            "OCC": "Remunerated activities reasons",
            "HUMAN": "Humanitarian reasons",
            "OTH": "Other reasons",
            **_REFUSAL_GROUNDS,
        },
        "RETURN_TYPE": {"VOL": "Voluntary return", "ENF": "Enforced return"},
        "EXPLOIT": {
            "SEX_EXP": "Sexual exploitation",
            "LAB_EXP": "Labour exploitation",
            "CRIM_ACT": "Forced criminal activities",
            "BEGG": "Forced begging",
            "FORC_MAR": "Forced marriage",
            "ORG_REM": "Organ removal",
            "OTH": "Other forms of exploitation",
        },
        "STAGE": {
            "REQ": "Readmission requested",
            "ACC": "Readmission accepted",
            "EXEC": "Readmission carried out",
        },
        "NACE_R2": _NACE_SECTIONS,
    }
)
