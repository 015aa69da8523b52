"""Entry point for gunicorn: `gunicorn -w 4 'wsgi:app'` (PUJA_ENV=production)."""

from puja_indah import create_app

app = create_app()
