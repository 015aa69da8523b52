"""Pluggable service modules (ARCHITECTURE §4): each a package with one ServiceModule subclass."""
