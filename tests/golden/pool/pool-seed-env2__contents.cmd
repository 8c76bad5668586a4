!pool 850d6bd0 3
