!poolfind Pool 0
