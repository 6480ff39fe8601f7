"""IoT connector: telemetry events over MQTT (a real broker) or as JSON Lines drops.

Every event carries a stable ``event_id``; tables merge by it, so an event delivered twice
(QoS 1 redelivery, a re-dropped file, a consumer restarted after a crash) lands once.
Tables are partitioned by the UTC date of the event (``event_date``).
"""
