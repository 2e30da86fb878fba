"""Answering a query: parse it (`query`), understand it (`rewrite`, `abbreviations`, `plan`),
score the postings (`arrays`, `scoring`, `ranking`), narrow it (`filters`), mark what
matched (`highlight`) and suggest spellings (`suggest`, `accents`)."""
