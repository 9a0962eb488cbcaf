"""The reporting pages: governance's cycles (cycles), the leads' updates (updates) and
governance's review of submitted updates (reviews). Loaders and permission checks in _access."""
