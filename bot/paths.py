"""Where the project's files are: the one place that knows the layout, so that
no module works out the project root for itself."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MODELS = PROJECT / "models"
DOMAIN = PROJECT / "domain.yml"
CONFIG = PROJECT / "config.yml"
CREDENTIALS = PROJECT / "credentials.yml"
ENDPOINTS = PROJECT / "endpoints.yml"
PROD_ENDPOINTS = PROJECT / "endpoints.prod.yml"
DATA = PROJECT / "data"
KNOWLEDGE = PROJECT / "bot" / "knowledge"
