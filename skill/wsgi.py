"""The app for a WSGI server, with its settings from the environment::

    FOOTWORK_SKILL_ID=amzn1.ask.skill.... gunicorn --workers 2 footwork.skill.wsgi:app
"""

from .app import create_app

app = create_app()
