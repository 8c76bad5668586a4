!pool 850ab020
