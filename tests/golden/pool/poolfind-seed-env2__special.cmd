!poolfind Thre 2
