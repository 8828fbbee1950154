"""Development tooling: talking to the skill without an Echo. Never imported by the production app.

* :mod:`.envelopes` builds the request envelopes Alexa would send;
* :mod:`.utterances` matches what someone says against the generated interaction model, as Alexa does;
* :mod:`.speech_text` reads SSML as text and timed segments, for printing and speaking it;
* :mod:`.dialog` carries a conversation to the skill, in process or over HTTP;
* :mod:`.simulator` is the web page at ``/dev/simulator``, registered by ``footwork serve --dev`` only.

Tests, benchmarks and ``footwork say``/``chat`` use them; ``create_app`` imports the simulator only in
development mode.
"""
