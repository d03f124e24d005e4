"""CSV import of time entries (S3.6): Clocktower's own export, Toggl Track, Clockify and
Kimai files, detected from the header row, all or nothing per file.

`table` reads the text, `detect` picks the format, one module per format turns a record
into a `ParsedRow`, `names` resolves (or plans) clients, projects and tasks, and
`service.import_entries` checks every row against the ledger's rules and writes.
"""
