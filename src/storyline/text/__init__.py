"""Text basics: sentence splitting with offsets, dates, and words (tokens, stems, stop words)."""
