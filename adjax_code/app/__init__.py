"""The application: the ``adjax`` command, doctor/init and the Python API."""
