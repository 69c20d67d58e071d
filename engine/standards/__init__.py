"""This package defines the Chinese data-standard validators used by applicant profiles and forms.

USCC (GB 32100), identity numbers (GB 11643 and other documents), Qingyuan/Shaoguan regions and parks
(GB/T 2260, NBS), 高新技术领域 (2016 annex), enterprise size (NBS 2017), industry codes (GB/T 4754-2017)
and money units. Each validator returns the normalised value and a list of `ProfileIssue` (errors and
warnings, zh/en, codes from `catalogue.CATALOGUE`). Pure Python, standard library only; the spec is
shared/reference/data_standards.md.
"""

from .catalogue import CATALOGUE, errors_only, make_issue
from .idcard import birth_date_of, cross_check_id, mask_id, sex_of, validate_id_number
from .industry import section_of, validate_industry_code
from .money import MoneyFormatError, format_wan, magnitude_issue, parse_money, to_wan
from .regions import (
    city_of,
    region_class,
    region_name,
    validate_park,
    validate_region_code,
    validate_township,
)
from .size_band import size_band, size_group_of, size_indicators
from .tech_fields import NOT_IN_CATALOGUE, l1_of, label_of, lineage, name_of, options, validate_tech_field
from .uscc import entity_type_of, normalize_uscc, uscc_check_char, validate_uscc

__all__ = [
    "CATALOGUE",
    "MoneyFormatError",
    "NOT_IN_CATALOGUE",
    "birth_date_of",
    "city_of",
    "cross_check_id",
    "entity_type_of",
    "errors_only",
    "format_wan",
    "l1_of",
    "label_of",
    "lineage",
    "magnitude_issue",
    "make_issue",
    "mask_id",
    "name_of",
    "options",
    "normalize_uscc",
    "parse_money",
    "region_class",
    "region_name",
    "section_of",
    "sex_of",
    "size_band",
    "size_group_of",
    "size_indicators",
    "to_wan",
    "uscc_check_char",
    "validate_id_number",
    "validate_industry_code",
    "validate_park",
    "validate_region_code",
    "validate_tech_field",
    "validate_township",
    "validate_uscc",
]
