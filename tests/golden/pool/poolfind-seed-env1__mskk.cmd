!poolfind MSKK 1
