!pool ffffb7dd`c0025010
