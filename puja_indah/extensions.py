"""Unbound extensions; create_app() binds them."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from puja_indah.api.spec import PujaApi
from puja_indah.core.db import Base
from puja_indah.core.ratelimit import SweepingMemoryStorage

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
# Named so that importing it registers `puja-memory://`, the default RATELIMIT_STORAGE_URI.
RATELIMIT_MEMORY = SweepingMemoryStorage
limiter = Limiter(key_func=get_remote_address)
# The JSON API's OpenAPI generator (puja_indah/api/spec.py).
api = PujaApi()
