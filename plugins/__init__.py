"""Service plugins. Each subpackage exposes `plugin: chalicelib.plugin.Plugin`; see chalicelib/plugin.py."""
