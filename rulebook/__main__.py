"""``python -m rulebook`` runs the command line."""

from rulebook.cli import main

main()
