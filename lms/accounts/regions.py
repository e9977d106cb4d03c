"""The regions a cohort can run in: Morocco's twelve regions and the partner incubators abroad."""

from __future__ import annotations

import unicodedata

MOROCCAN_REGIONS = (
    "Tanger-Tétouan-Al Hoceïma",
    "L'Oriental",
    "Fès-Meknès",
    "Rabat-Salé-Kénitra",
    "Béni Mellal-Khénifra",
    "Casablanca-Settat",
    "Marrakech-Safi",
    "Drâa-Tafilalet",
    "Souss-Massa",
    "Guelmim-Oued Noun",
    "Laâyoune-Sakia El Hamra",
    "Dakhla-Oued Ed-Dahab",
)
PARTNER_REGIONS = ("Côte d'Ivoire", "Sénégal")
REGIONS = MOROCCAN_REGIONS + PARTNER_REGIONS


def _key(text: str) -> str:
    """Compare names without accents, case, apostrophes, hyphens or spaces ("fes meknes")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


_BY_KEY = {_key(name): name for name in REGIONS}


def match_region(text: str) -> str | None:
    """The canonical name of a region written loosely, or None when it is not one of ours."""
    return _BY_KEY.get(_key(text)) if text and text.strip() else None
