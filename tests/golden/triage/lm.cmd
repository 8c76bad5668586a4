lm
