"""The BAF pages: the register and heat map, a risk's page, governance's risk forms and the
quarterly risk reviews. One module per resource; loaders and permission checks in _access."""
