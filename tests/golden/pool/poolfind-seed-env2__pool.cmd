!poolfind Pool
