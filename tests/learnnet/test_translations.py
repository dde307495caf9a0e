"""Every UI string is translated in Norwegian bokmål and English, and the compiled catalogues are current."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "learnnet"
TRANSLATIONS = PACKAGE / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=method_map, keywords=KEYWORDS
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_message_is_translated(language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_source_messages() - translated)
    assert not missing, f"run `make translations` and translate: {missing}"


def _entries(catalog) -> dict:
    def frozen(value):
        return value if isinstance(value, str) else tuple(value)

    return {frozen(m.id): frozen(m.string) for m in catalog if m.id and not m.fuzzy}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_compiled_catalogue_is_current(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        source = _entries(read_po(handle, locale=language))
    with (folder / "messages.mo").open("rb") as handle:
        compiled = _entries(read_mo(handle))
    assert compiled == source, "run `make translations` to compile the catalogues"
