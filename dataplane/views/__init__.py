"""Department pages of the data plane (the ``dataplane`` URL namespace under /data/)."""
