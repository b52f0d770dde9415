"""Games: who plays, with what, in which phases. One folder per game; `registry.GAMES` names them."""
