"""The versioned JSON API (`/api/v1`): the same scopes, policies, queries and services as the
web pages, reached with a personal access token (auth/tokens.py) or, for reads and for writes
that carry a CSRF token, the browser's own session.

- `spec.py`      the flask-smorest `Api` that generates the OpenAPI 3 document from the code;
- `problems.py`  every error as RFC 9457 problem details (`application/problem+json`);
- `access.py`    `api_requires(policy)`, write rules (token scope or CSRF), the body cap;
- `paging.py`    one way to page, sort and filter every list;
- `etags.py`     ETag / If-Match from a row's version, so a client cannot overwrite newer data;
- `inputs.py`    JSON text fields cleaned and checked like the web forms' fields;
- `docs.py`      the document and its interactive page, served from our own static files;
- one module per resource beside them.
"""
