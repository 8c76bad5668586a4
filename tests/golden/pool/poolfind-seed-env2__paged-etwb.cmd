!poolfind EtwB 1
