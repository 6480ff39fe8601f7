"""Browser tests (#24): Debian's headless Chromium, driven over the DevTools protocol, opens the
pages a user opens (the APIs' docs, the dbt docs, the procurement page) with every address but
127.0.0.1 unreachable, and checks what the page rendered, not just the HTML it was sent."""
