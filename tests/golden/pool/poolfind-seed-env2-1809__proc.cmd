!poolfind Proc 0
