"""Live stock: counts observed in the warehouses (WMS snapshots through the lake, IoT streams
through the API) set the platform's on-hand stock without touching reservations."""
