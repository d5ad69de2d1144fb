"""Where the shipped seed files lie (light to import: the command line's defaults)."""

from pathlib import Path

DEFAULT_CATALOG_PATH: Path = Path(__file__).with_name("catalog.yaml")
DEFAULT_QUESTIONS_PATH: Path = Path(__file__).with_name("questions.yaml")
