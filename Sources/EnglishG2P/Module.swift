// EnglishG2P: module under construction.
