lmvm nt; lmva fffff8048b58334c; lm m ms*
