"""Service plugins. Each subpackage exposes `plugin: chalicelib.plugin.Plugin`; see chalicelib/plugin.py.

A `plugins/` folder elsewhere on the path (a service kept outside this repository, or a copy of the
template under test) adds its subpackages here: `plugins.<module>` is found in any of them."""
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
