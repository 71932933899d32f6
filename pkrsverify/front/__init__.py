"""The front end: text -> syntax tree -> AST -> checked IR (source, diagnostics, grammar, parser, analyze, ir, loader)."""
