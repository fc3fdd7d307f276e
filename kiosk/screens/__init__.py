"""Kivy screens of the hall board, window display, clerk and manager consoles and the
rating pad.  They only bind to the view-models in ``kiosk.viewmodels``."""
