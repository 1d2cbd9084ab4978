// KokoroEngine: module under construction.
