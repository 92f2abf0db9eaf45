"""The indicator rows, codings and affinities the baseline facts are derived from."""
