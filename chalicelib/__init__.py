"""The shared core every plugin uses: storage, auth, errors, areas, web helpers, plugin contract."""
