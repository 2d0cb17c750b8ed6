"""The contract language's front end: text to model.

:mod:`.parser` (the LALR grammar ``rulebook.lark`` loaded once, text to model: the entry
points), :mod:`.hints` (a syntax error in the language's words), :mod:`.build` (parse tree
to the model of :mod:`rulebook.model`: files, vocabularies, contracts, clauses, examples)
on :mod:`.values` (conditions, values, quantities and the limits on them),
:mod:`.recovery` (every syntax error of a file in one run), :mod:`.layout`
(``rulebook fmt``), :mod:`.cache` (the compiled parser kept on disk).

Layer: grammar. It may import the model layer (model, diagnostics, errors) and the text
layer; never the checks, the engine or anything that reads logs.
"""
