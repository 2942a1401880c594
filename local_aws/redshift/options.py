"""The option list after a COPY or UNLOAD head, read word by word (both commands share it)."""

from __future__ import annotations

import re

# A quoted string ('' inside is a quote), a number, a word (IAM role ARNs and the like keep
# their ':' '/' '-'), or any other single character (';', '(').
_TOKEN = re.compile(r"""'((?:[^']|'')*)'|(\d+)|([A-Za-z_][\w:\-/]*)|(\S)""")


class OptionWords:
    def __init__(self, text: str, command: str, error: type[Exception]) -> None:
        self.words = [quoted.replace("''", "'") if quoted is not None else (number or word or other)
                      for quoted, number, word, other in (m.groups() for m in _TOKEN.finditer(text))]
        self.position = 0
        self.command = command
        self.error = error

    def next(self) -> str | None:
        if self.position >= len(self.words):
            return None
        self.position += 1
        return self.words[self.position - 1]

    def peek(self) -> str | None:
        return self.words[self.position] if self.position < len(self.words) else None

    def value(self, name: str) -> str:
        """The option's value, after an optional AS."""
        if (self.peek() or "").upper() == "AS":
            self.position += 1
        word = self.next()
        if word is None:
            raise self.error(f"{self.command} option {name} needs a value")
        return word
