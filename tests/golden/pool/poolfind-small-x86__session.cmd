!poolfind Gh05 4
