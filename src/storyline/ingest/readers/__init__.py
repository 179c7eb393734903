"""One reader per input kind: plain ``text``, ``jsonl``, ``html``, ``feeds`` (RSS, Atom, JSON Feed, OPML), ``warc``
and ``urls`` (URL inputs and URL lists). ``ingest/detect.py`` picks one by content and imports its module only when
a file needs it; every reader yields ``Article`` or ``Rejected`` items through a ``ReadContext`` (``base.py``)."""
