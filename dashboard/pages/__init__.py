"""Dashboard pages: one module each, registered by :func:`dashboard.app.create_app`."""
