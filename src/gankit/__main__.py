"""python -m gankit -> the command line."""

from gankit.cli.main import entry_point

if __name__ == "__main__":
    entry_point()
