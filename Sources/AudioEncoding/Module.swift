// AudioEncoding: module under construction.
