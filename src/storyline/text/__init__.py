"""Text utilities: sentence splitting with offsets, normalization, dates."""
