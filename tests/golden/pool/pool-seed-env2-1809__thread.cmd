!pool ffffb7dd`c0058060 2
