!poolfind Gla5 4
