"""The Diskominfos progress board (issue 5, point 1) and the monitors' weekly digest (point 5)."""
