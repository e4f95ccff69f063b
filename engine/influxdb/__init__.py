"""Optional history source: the state history Home Assistant's InfluxDB integration wrote."""
