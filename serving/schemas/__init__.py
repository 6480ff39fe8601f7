"""Response shapes of the serving API, one module per resource (OpenAPI at ``/docs``)."""
