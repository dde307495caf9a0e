"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""
from learnnet import create_app

app = create_app()
