"""The plan pages (/plan/, issue 15): themes, golden threads, workstreams and organisations."""
