// KokoroVoices: module under construction.
