!pool 850d6bd0 2; ? 850d6bd0 - 850d6ba0
