"""The application: command line (never imports Qt) and the desktop GUI."""
