"""`ci init`: inspect a bot's repository and write what adopting the pipeline takes.

`inspect` reads the code (never runs it); `describe` turns what it found into the
`[tool.bottie]` table, with every choice it could not make written down as an open decision;
`files` plans and applies the file changes, idempotently.
"""
