"""Controlled vocabularies of the open catalog and their IRIs for DCAT-AP (O1, O8).

Licences, formats and update frequencies are named by the EU Publications Office
authority tables, which DCAT-AP harvesters understand; catalog themes are mapped onto the
EU data-theme vocabulary so a harvester can place a dataset without knowing Chinese.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


class Licence(models.TextChoices):
    """Licences a dataset may be opened under (O1)."""

    CC_BY_4_0 = "cc-by-4.0", _("知识共享署名 4.0（CC BY 4.0）")
    CC0_1_0 = "cc-zero", _("知识共享零授权（CC0 1.0）")
    CC_BY_SA_4_0 = "cc-by-sa-4.0", _("知识共享署名-相同方式共享 4.0（CC BY-SA 4.0）")
    ODBL_1_0 = "odc-odbl", _("开放数据库许可（ODbL 1.0）")
    GOV_OPEN = "gov-open-1.0", _("公共数据开放利用协议（无条件开放）")
    GOV_CONDITIONAL = "gov-conditional-1.0", _("公共数据有条件开放利用协议")


@dataclass(frozen=True)
class LicenceInfo:
    url: str
    # The licence's IRI in the EU licence authority table, when it has one.
    iri: str | None
    open_definition: bool


LICENCES: dict[str, LicenceInfo] = {
    Licence.CC_BY_4_0: LicenceInfo("https://creativecommons.org/licenses/by/4.0/",
                                   EU_AUTHORITY + "licence/CC_BY_4_0", True),
    Licence.CC0_1_0: LicenceInfo("https://creativecommons.org/publicdomain/zero/1.0/",
                                 EU_AUTHORITY + "licence/CC0", True),
    Licence.CC_BY_SA_4_0: LicenceInfo("https://creativecommons.org/licenses/by-sa/4.0/",
                                      EU_AUTHORITY + "licence/CC_BYSA_4_0", True),
    Licence.ODBL_1_0: LicenceInfo("https://opendatacommons.org/licenses/odbl/1-0/",
                                  EU_AUTHORITY + "licence/ODC_BL", True),
    # The portal's own agreements are pages of the portal itself (see dcat.licence_iri).
    Licence.GOV_OPEN: LicenceInfo("", None, True),
    Licence.GOV_CONDITIONAL: LicenceInfo("", None, False),
}


class DistributionFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"
    API = "api", _("数据接口")


@dataclass(frozen=True)
class FormatInfo:
    media_type: str
    eu_code: str
    extension: str


FORMATS: dict[str, FormatInfo] = {
    DistributionFormat.CSV: FormatInfo("text/csv", "CSV", "csv"),
    DistributionFormat.XLSX: FormatInfo(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", "xlsx"),
    DistributionFormat.JSON: FormatInfo("application/json", "JSON", "json"),
    DistributionFormat.API: FormatInfo("application/json", "JSON", ""),
}

# Downloadable file formats, in the order the portal offers them.
FILE_FORMATS = (DistributionFormat.CSV, DistributionFormat.XLSX, DistributionFormat.JSON)


def format_iri(code: str) -> str:
    return EU_AUTHORITY + "file-type/" + FORMATS[code].eu_code


def media_type_iri(code: str) -> str:
    return "http://www.iana.org/assignments/media-types/" + FORMATS[code].media_type


# Catalog update cycles → EU frequency authority codes.
FREQUENCIES = {
    "realtime": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "half_yearly": "ANNUAL_2",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
}


def frequency_iri(update_cycle: str) -> str:
    return EU_AUTHORITY + "frequency/" + FREQUENCIES.get(update_cycle, "UNKNOWN")


# Catalog themes → EU data themes (http://publications.europa.eu/resource/authority/data-theme).
EU_THEMES = {
    "population": "SOCI",
    "legal_entity": "ECON",
    "real_estate": "REGI",
    "natural_resources": "ENVI",
    "e_license": "GOVE",
    "social_credit": "ECON",
    "health": "HEAL",
    "social_security": "SOCI",
    "education": "EDUC",
    "market_supervision": "ECON",
    "food_drug_safety": "HEAL",
    "work_safety": "JUST",
    "ecology": "ENVI",
    "urban_construction": "REGI",
    "transport": "TRAN",
    "agriculture": "AGRI",
    "employment": "ECON",
    "public_security": "JUST",
    "emergency": "JUST",
    "tourism": "EDUC",
    "economy": "ECON",
    "government_service": "GOVE",
}


def eu_theme_iri(theme: str) -> str:
    return EU_AUTHORITY + "data-theme/" + EU_THEMES.get(theme, "OP_DATPRO")


ACCESS_RIGHTS = {
    "unconditional": EU_AUTHORITY + "access-right/PUBLIC",
    "conditional": EU_AUTHORITY + "access-right/RESTRICTED",
}

LANGUAGE_ZH = EU_AUTHORITY + "language/ZHO"
