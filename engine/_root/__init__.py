"""regelwerk: rules-as-code for education regulations in Flanders and the Netherlands."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("regelwerk")
except PackageNotFoundError:  # pragma: no cover - running from an unusual layout
    __version__ = "0+unknown"
