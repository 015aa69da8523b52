"""Sign-in, server-side login sessions, throttling, password changes."""
