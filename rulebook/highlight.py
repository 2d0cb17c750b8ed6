"""A Pygments lexer for contract files, so documentation (```sla blocks) and tools that use
Pygments highlight them.

Pygments is optional: ``pip install 'rulebook[highlight]'``. It is registered under the
entry point ``pygments.lexers`` as ``sla``; nothing else in rulebook imports this module.
The keywords are read from the grammar, so the lexer never lags behind the language.

>>> from pygments.token import Keyword
>>> (Keyword.Declaration, "exclusion") in list(SlaLexer().get_tokens("exclusion war {}"))
True
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from rulebook.grammar.parser import keywords

#: Keywords that open a clause or a block: shown as declarations.
DECLARATIONS = (
    "vocabulary", "contract", "fact", "event", "services", "availability", "downtime",
    "calendar", "maintenance", "exclusion", "inclusion", "exception", "remedy", "obligation",
    "performance", "example", "import", "amendment",
)  # fmt: skip
CONSTANTS = ("true", "false")


class SlaLexer(RegexLexer):
    """Contract files of rulebook (``.sla``)."""

    name = "rulebook contract"
    aliases = ["sla", "rulebook"]  # noqa: RUF012 (Pygments reads these class attributes)
    filenames = ["*.sla"]  # noqa: RUF012
    mimetypes = ["text/x-rulebook-sla"]  # noqa: RUF012
    url = "https://github.com/rulebook/rulebook"
    # Pygments' Slash lexer claims *.sla too; a contract file is far likelier here.
    priority = 0.5

    @staticmethod
    def analyse_text(text: str) -> float:
        """How sure the text is a contract file: it imports the vocabulary or opens one."""
        return 1.0 if ('import "vocabulary.sla"' in text or "vocabulary " in text) else 0.0

    tokens = {  # noqa: RUF012
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"(\\\\|\\"|[^"\n])*"', String.Double),
            (r"\(([^\x00-\x7f()（）]+)\)", String.Affix),  # a boundary word: (以上)
            (r"\d{1,2}:\d{2}|\d{1,2}/\d{1,2}|\d+(st|nd|rd|th)\b|\d+(\.\d+)?%?", Number),
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (
                words(
                    tuple(k for k in keywords() if k not in DECLARATIONS + CONSTANTS), suffix=r"\b"
                ),
                Keyword,
            ),
            (r"<=|>=|!=|<|>|=|[+\-*/]", Operator),
            (r"[{}()\[\],:]", Punctuation),
            (r"[A-Za-z_][A-Za-z0-9_-]*", Name),
            (r".", Text),
        ]
    }
