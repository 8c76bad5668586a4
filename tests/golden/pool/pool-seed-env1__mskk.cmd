!pool 8f660abc
