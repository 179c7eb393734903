"""The benchmarks. Each is a script (``python bench/summaries.py``); the data loaders and scoring the quality gates
in tests/ share with them are imported as ``bench.<module>`` (pytest puts the checkout root on the path:
``pythonpath`` in pyproject.toml; a script run directly puts it there itself)."""
