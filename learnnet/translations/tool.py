"""Keep the catalogues complete: ``python learnnet/translations/tool.py COMMAND``.

    missing nb            list the messages without a Norwegian translation (as JSON to fill in)
    apply nb FILE.json    take translations from {msgid: msgstr or [singular, plural]}
    fill-en               give English messages their msgid where they have no translation yet

Run ``make translations`` first to extract new messages and afterwards to compile.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent


def _path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / "messages.po"


def _read(language: str):
    with _path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def _write(language: str, catalog) -> None:
    with _path(language).open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


def _untranslated(message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return not all(message.string)
    return not message.string


def missing(language: str) -> dict:
    catalog = _read(language)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (["", ""] if isinstance(m.id, tuple) else "")
        for m in catalog
        if m.id and (_untranslated(m) or m.fuzzy)
    }


def apply(language: str, translations: dict) -> int:
    catalog = _read(language)
    count = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else (message.id[0] if message.id else "")
        if key and key in translations and translations[key]:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            count += 1
    _write(language, catalog)
    return count


def fill_english() -> int:
    catalog = _read("en")
    count = 0
    for message in catalog:
        if message.id and _untranslated(message):
            message.string = tuple(message.id) if isinstance(message.id, tuple) else message.id
            count += 1
    _write("en", catalog)
    return count


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["help"]
    if command == "missing":
        print(json.dumps(missing(args[0]), ensure_ascii=False, indent=1))
    elif command == "apply":
        print(apply(args[0], json.loads(Path(args[1]).read_text(encoding="utf-8"))), "applied")
    elif command == "fill-en":
        print(fill_english(), "filled")
    else:
        print(__doc__)
