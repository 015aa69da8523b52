"""Kemendagri reviewer workspace: review decisions about agencies ' claims, kept apart from them."""
